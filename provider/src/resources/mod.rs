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
    use crate::framework::model::assert_fields_match;
    use crate::framework::schema::AttrType;

    /// Each typed model names exactly its schema's attributes, so that a renamed or
    /// misspelt attribute fails here rather than reading null at run time.
    #[test]
    fn models_match_their_schemas() {
        let route = super::internal_route::InternalRoute.schema();
        assert_fields_match(
            &route.block.attributes,
            super::internal_route::RouteModel::FIELDS,
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
        assert_fields_match(&dest, super::internal_route::DestinationModel::FIELDS);
        assert_fields_match(
            &super::network_policy::NetworkPolicy
                .schema()
                .block
                .attributes,
            super::network_policy::PolicyModel::FIELDS,
        );
    }
}
