//! Managed resources, one file each: schema, mapping and CRUD together.

pub(crate) mod internal_route;
pub(crate) mod network_policy;

/// What a resource's `timeouts` block says about durations left unset.
pub(crate) const TIMEOUTS_UNSET: &str = "When unset, the operation may take up to 20 minutes and each \
    platform request retries temporary failures (5xx answers, rate limits, lost connections) for up to 2 \
    minutes; when set, requests are retried until this limit and the operation stops at it.";

#[cfg(test)]
mod tests {
    use crate::framework::Resource;
    use crate::framework::schema::AttrType;

    fn names(attrs: &[crate::framework::Attribute]) -> Vec<String> {
        let mut v: Vec<String> = attrs.iter().map(|a| a.name.clone()).collect();
        v.sort();
        v
    }

    fn sorted(fields: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = fields.iter().map(ToString::to_string).collect();
        v.sort();
        v
    }

    /// Each typed model names exactly its schema's attributes, so that a renamed or
    /// misspelt attribute fails here rather than reading null at run time.
    #[test]
    fn models_match_their_schemas() {
        let route = super::internal_route::InternalRoute.schema();
        assert_eq!(
            names(&route.block.attributes),
            sorted(super::internal_route::RouteModel::FIELDS)
        );
        let dest = route
            .block
            .attributes
            .iter()
            .find_map(|a| match &a.ty {
                AttrType::Nested(_, inner) => Some(inner.clone()),
                AttrType::Plain(_) => None,
            })
            .expect("destinations");
        assert_eq!(
            names(&dest),
            sorted(super::internal_route::DestinationModel::FIELDS)
        );
        assert_eq!(
            names(
                &super::network_policy::NetworkPolicy
                    .schema()
                    .block
                    .attributes
            ),
            sorted(super::network_policy::PolicyModel::FIELDS)
        );
    }
}
