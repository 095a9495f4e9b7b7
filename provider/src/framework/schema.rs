//! Schema builders: attributes (typed or nested, never both on the wire), blocks,
//! markdown descriptions, sensitive flags and versions, and the value type a schema
//! implies. Resources describe themselves with these; the server sends them.

use cloudgov_proto::tfplugin6 as pb;

use super::value::{Type, Value};

/// How a nested attribute or block holds its objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// What an attribute holds: a plain type or nested attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrType {
    /// A cty type.
    Plain(Type),
    /// Objects described by attributes of their own.
    Nested(Nesting, Vec<Attribute>),
}

/// One attribute of a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Name in HCL.
    pub name: String,
    /// Its type.
    pub ty: AttrType,
    /// Markdown description; the registry docs are generated from it.
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (with `optional`, only when the configuration does not).
    pub computed: bool,
    /// Hidden in plans and logs.
    pub sensitive: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// The value planned when configuration leaves this (optional, computed)
    /// attribute unset. Not sent to Terraform; applied by the framework at plan time.
    pub default: Option<Value>,
    /// A change of this attribute replaces the resource. Applied by the framework
    /// at plan time.
    pub requires_replace: bool,
}

impl Attribute {
    /// An attribute of a plain type, neither required nor optional until said.
    pub fn new(name: &str, ty: Type) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty: AttrType::Plain(ty),
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            default: None,
            requires_replace: false,
        }
    }

    /// A string attribute.
    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Type::String)
    }

    /// A number attribute.
    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    /// A bool attribute.
    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    /// A nested attribute (`name = [{ ... }]` in HCL).
    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Attribute {
        Attribute {
            ty: AttrType::Nested(nesting, attributes),
            ..Attribute::new(name, Type::Dynamic)
        }
    }

    /// Must be set in configuration.
    pub fn required(mut self) -> Attribute {
        self.required = true;
        self
    }

    /// May be set in configuration.
    pub fn optional(mut self) -> Attribute {
        self.optional = true;
        self
    }

    /// Set by the provider.
    pub fn computed(mut self) -> Attribute {
        self.computed = true;
        self
    }

    /// Hidden in plan output and logs.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// Optional and computed, planned as `value` when configuration leaves it unset.
    pub fn default(mut self, value: impl Into<Value>) -> Attribute {
        self.optional = true;
        self.computed = true;
        self.default = Some(value.into());
        self
    }

    /// A change of this attribute replaces the resource.
    pub fn requires_replace(mut self) -> Attribute {
        self.requires_replace = true;
        self
    }

    /// Markdown description.
    pub fn description(mut self, text: &str) -> Attribute {
        self.description = text.to_string();
        self
    }

    /// The value type this attribute implies.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttrType::Plain(t) => t.clone(),
            AttrType::Nested(nesting, attrs) => {
                let obj = Type::Object(
                    attrs
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                );
                match nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        let (ty, nested_type) = match &self.ty {
            // Only one of `type` and `nested_type` may be sent: both at once crash
            // Terraform and OpenTofu.
            AttrType::Plain(t) => (t.to_json().to_string().into_bytes(), None),
            AttrType::Nested(nesting, attrs) => (
                Vec::new(),
                Some(pb::schema::Object {
                    attributes: attrs.iter().map(Attribute::to_proto).collect(),
                    nesting: match nesting {
                        Nesting::Single => pb::schema::object::NestingMode::Single,
                        Nesting::List => pb::schema::object::NestingMode::List,
                        Nesting::Set => pb::schema::object::NestingMode::Set,
                        Nesting::Map => pb::schema::object::NestingMode::Map,
                    } as i32,
                }),
            ),
        };
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type,
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            write_only: false,
        }
    }
}

/// A nested block (`name { ... }` in HCL).
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    /// Block type name.
    pub name: String,
    /// How many and in what collection.
    pub nesting: Nesting,
    /// Its contents.
    pub block: Block,
    /// Minimum count (0 = none).
    pub min_items: i64,
    /// Maximum count (0 = no limit).
    pub max_items: i64,
}

/// A block: attributes and nested blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// Attributes.
    pub attributes: Vec<Attribute>,
    /// Nested blocks.
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Deprecated.
    pub deprecated: bool,
}

impl Block {
    /// The object type of this block's values.
    pub fn value_type(&self) -> Type {
        let mut attrs: std::collections::BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.blocks {
            let obj = b.block.value_type();
            let ty = match b.nesting {
                Nesting::Single => obj,
                Nesting::List => Type::list(obj),
                Nesting::Set => Type::set(obj),
                Nesting::Map => Type::map(obj),
            };
            attrs.insert(b.name.clone(), ty);
        }
        Type::Object(attrs)
    }

    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.clone(),
                    block: Some(b.block.to_proto(0)),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                        Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
        }
    }

    fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// A block holding just these attributes (the inside of a nested attribute).
    pub fn of(attributes: Vec<Attribute>) -> Block {
        Block {
            attributes,
            ..Block::default()
        }
    }
}

/// A versioned schema of a provider, resource or data source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// Bumped whenever stored state needs upgrading.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// A version-0 schema of these attributes.
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes,
                blocks: Vec::new(),
                description: description.to_string(),
                deprecated: false,
            },
        }
    }

    /// The same schema at another version.
    pub fn with_version(mut self, version: i64) -> Schema {
        self.version = version;
        self
    }

    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }

    /// The mistakes Terraform would only report at run time, or not at all: each
    /// attribute required, optional or computed in an allowed combination, a default
    /// only on an optional and computed attribute, `requires_replace` only where
    /// configuration can change the value, names unique and well formed, nested
    /// attributes with contents. Every problem, each naming its attribute path.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        check_block(&self.block, "", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// A copy of `value` safe to log: every sensitive attribute's value, at any depth,
    /// is replaced by a marker.
    pub fn redact(&self, value: &Value) -> Value {
        redact_block(&self.block, value)
    }

    /// The top-level attribute of this name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.attribute(name)
    }
}

/// What a sensitive value is replaced with in logs.
pub const REDACTED: &str = "(sensitive value)";

/// Names Terraform reserves for meta-arguments in resource and data blocks.
const RESERVED: [&str; 7] = [
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "connection",
    "provisioner",
];

fn check_block(block: &Block, prefix: &str, problems: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    let names = block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .chain(block.blocks.iter().map(|b| b.name.as_str()));
    for name in names {
        let path = format!("{prefix}{name}");
        if !seen.insert(name) {
            problems.push(format!("{path}: declared twice"));
        }
        let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            problems.push(format!(
                "{path}: names are lowercase letters, digits and underscores"
            ));
        }
        if prefix.is_empty() && RESERVED.contains(&name) {
            problems.push(format!("{path}: a name Terraform reserves"));
        }
    }
    for a in &block.attributes {
        check_attribute(a, prefix, problems);
    }
    for b in &block.blocks {
        check_block(&b.block, &format!("{prefix}{}.", b.name), problems);
    }
}

fn check_attribute(a: &Attribute, prefix: &str, problems: &mut Vec<String>) {
    let path = format!("{prefix}{}", a.name);
    match (a.required, a.optional, a.computed) {
        (true, false, false) | (false, true, _) | (false, false, true) => {}
        (false, false, false) => {
            problems.push(format!("{path}: neither required, optional nor computed"));
        }
        _ => problems.push(format!("{path}: required cannot be optional or computed")),
    }
    if a.default.is_some() && !(a.optional && a.computed) {
        problems.push(format!(
            "{path}: a default needs an optional and computed attribute"
        ));
    }
    if a.requires_replace && !(a.required || a.optional) {
        problems.push(format!(
            "{path}: requires_replace on a computed-only attribute, which configuration never changes"
        ));
    }
    if let AttrType::Nested(_, inner) = &a.ty {
        if inner.is_empty() {
            problems.push(format!("{path}: a nested attribute without attributes"));
        }
        check_block(&Block::of(inner.clone()), &format!("{path}."), problems);
    }
}

fn redact_block(block: &Block, value: &Value) -> Value {
    let Value::Object(attrs) = value else {
        return value.clone();
    };
    let mut out = attrs.clone();
    for a in &block.attributes {
        if let Some(v) = out.get_mut(&a.name) {
            *v = redact_attr(a, v);
        }
    }
    for b in &block.blocks {
        if let Some(v) = out.get_mut(&b.name) {
            *v = map_collection(v, |o| redact_block(&b.block, o));
        }
    }
    Value::Object(out)
}

fn redact_attr(a: &Attribute, v: &Value) -> Value {
    if a.sensitive && !v.is_null() {
        return Value::String(REDACTED.to_string());
    }
    match &a.ty {
        AttrType::Plain(_) => v.clone(),
        AttrType::Nested(_, attrs) => {
            let inner = Block::of(attrs.clone());
            map_collection(v, |o| redact_block(&inner, o))
        }
    }
}

fn map_collection(v: &Value, f: impl Fn(&Value) -> Value) -> Value {
    match v {
        Value::List(items) => Value::List(items.iter().map(&f).collect()),
        Value::Set(items) => Value::Set(items.iter().map(&f).collect()),
        Value::Map(m) => Value::Map(m.iter().map(|(k, o)| (k.clone(), f(o))).collect()),
        Value::Object(_) => f(v),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(
            "test",
            vec![
                Attribute::string("user").optional(),
                Attribute::string("password").optional().sensitive(),
                Attribute::nested(
                    "creds",
                    Nesting::List,
                    vec![
                        Attribute::string("name").required(),
                        Attribute::string("secret").required().sensitive(),
                    ],
                )
                .optional(),
            ],
        )
    }

    #[test]
    fn schema_mistakes_are_found_with_their_paths() {
        assert_eq!(schema().check(), Ok(()));
        let bad = Schema::new(
            "bad",
            vec![
                Attribute::string("a").required().default("x"),
                Attribute::string("b"),
                Attribute::string("c").computed().requires_replace(),
                Attribute::string("Count").optional(),
                Attribute::string("count").optional(),
                Attribute::string("d").optional(),
                Attribute::string("d").optional(),
                Attribute::nested("n", Nesting::List, vec![Attribute::string("x")]).optional(),
            ],
        );
        assert_eq!(
            bad.check(),
            Err(vec![
                "Count: names are lowercase letters, digits and underscores".to_string(),
                "count: a name Terraform reserves".to_string(),
                "d: declared twice".to_string(),
                "a: required cannot be optional or computed".to_string(),
                "b: neither required, optional nor computed".to_string(),
                "c: requires_replace on a computed-only attribute, which configuration never changes"
                    .to_string(),
                "n.x: neither required, optional nor computed".to_string(),
            ])
        );
    }

    #[test]
    fn nested_attributes_send_only_nested_type() {
        let pb = schema().to_proto();
        let attrs = &pb.block.unwrap().attributes;
        let creds = attrs.iter().find(|a| a.name == "creds").unwrap();
        assert!(creds.r#type.is_empty());
        assert!(creds.nested_type.is_some());
        let user = attrs.iter().find(|a| a.name == "user").unwrap();
        assert_eq!(user.r#type, b"\"string\"");
        assert!(user.nested_type.is_none());
    }

    #[test]
    fn redaction_reaches_nested_attributes() {
        let v = Value::object([
            ("user", Value::from("u")),
            ("password", Value::from("hunter2")),
            (
                "creds",
                Value::List(vec![Value::object([
                    ("name", Value::from("n")),
                    ("secret", Value::from("s3cr3t")),
                ])]),
            ),
        ]);
        let printed = format!("{:?}", schema().redact(&v));
        assert!(
            !printed.contains("hunter2") && !printed.contains("s3cr3t"),
            "{printed}"
        );
        assert!(printed.contains(REDACTED));
        assert!(printed.contains("\"u\""));
    }

    #[test]
    fn implied_type_wraps_nested_objects() {
        let t = schema().value_type();
        let Type::Object(attrs) = t else { panic!() };
        assert!(matches!(attrs["creds"], Type::List(_)));
    }
}
