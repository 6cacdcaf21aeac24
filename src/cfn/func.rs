//! Intrinsic functions, in the long form every tool parses (`Fn::GetAtt: [Id, Attr]`, never the
//! `!GetAtt` short form, which some parsers drop or misread).

use serde_json::{Value, json};

/// `Ref` to a parameter, resource or pseudo parameter.
pub fn r#ref(id: &str) -> Value {
    json!({ "Ref": id })
}

/// `Fn::GetAtt` of a resource attribute.
pub fn get_att(id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attribute] })
}

/// `Fn::Sub` with `${...}` references to parameters, resources and pseudo parameters.
pub fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// `Fn::Join` of a list: literal items (`Vec<Value>`) or a list-valued expression (`Ref` of a
/// list parameter).
pub fn join(separator: &str, list: impl Into<Value>) -> Value {
    json!({ "Fn::Join": [separator, list.into()] })
}

/// `Fn::Select` of element `index` of `list`.
pub fn select(index: usize, list: Value) -> Value {
    json!({ "Fn::Select": [index.to_string(), list] })
}

/// `Fn::If`.
pub fn if_(condition: &str, then: Value, otherwise: Value) -> Value {
    json!({ "Fn::If": [condition, then, otherwise] })
}

/// `Fn::FindInMap`.
pub fn find_in_map(map: &str, top: Value, second: &str) -> Value {
    json!({ "Fn::FindInMap": [map, top, second] })
}

/// `Fn::Equals`.
pub fn equals(a: Value, b: Value) -> Value {
    json!({ "Fn::Equals": [a, b] })
}

/// `Fn::Not`.
pub fn not(condition: Value) -> Value {
    json!({ "Fn::Not": [condition] })
}

/// `Ref: AWS::NoValue`: removes the property it is used for.
pub fn no_value() -> Value {
    r#ref("AWS::NoValue")
}
