//! The envelopes around objects: a page of a list, and a deleted object.

use serde::Serialize;
use utoipa::ToSchema;

/// A page of objects, newest first: `{"object":"list","data":[…],"has_more":…,"url":…}`.
#[derive(Debug, Serialize)]
pub struct ListView<T> {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<T>,
    pub has_more: bool,
    pub url: String,
}

impl<T> ListView<T> {
    pub fn new(data: Vec<T>, has_more: bool, url: &str) -> Self {
        ListView {
            object: "list",
            data,
            has_more,
            url: url.to_string(),
        }
    }

    /// The views of `rows`.
    pub fn of<R>(rows: &[R], has_more: bool, url: &str) -> Self
    where
        T: for<'r> From<&'r R>,
    {
        ListView::new(rows.iter().map(T::from).collect(), has_more, url)
    }
}

/// Described by hand: one `List` schema serves every list (its `data` holds the objects the
/// operation names), where the derive would want a schema per type of object.
impl<T> utoipa::PartialSchema for ListView<T> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        ObjectBuilder::new()
            .description(Some("A page of objects, newest first."))
            .property(
                "object",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("Always `list`.")),
            )
            .property("data", ArrayBuilder::new().items(ObjectBuilder::new()))
            .property("has_more", ObjectBuilder::new().schema_type(Type::Boolean))
            .property("url", ObjectBuilder::new().schema_type(Type::String))
            .required("object")
            .required("data")
            .required("has_more")
            .required("url")
            .into()
    }
}

impl<T> ToSchema for ListView<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        "List".into()
    }
}

/// A list as the OpenAPI document names it (whatever its objects).
pub type List = ListView<serde_json::Value>;

/// `{id, object, deleted: true}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Deleted)]
pub struct DeletedView {
    pub id: String,
    pub object: &'static str,
    pub deleted: bool,
}

impl DeletedView {
    /// The answer to deleting the `object` named `id`.
    pub fn new(id: String, object: &'static str) -> DeletedView {
        DeletedView {
            id,
            object,
            deleted: true,
        }
    }
}
