//! Discord's OpenAPI document: route matching and request-body validation.
//!
//! The spec is embedded so the tests pass on a machine that has only the project.
//! One JSON-Schema validator per operation is built lazily and cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map, Value};

const SPEC_TEXT: &str = include_str!("../spec/openapi.json");

/// One operation of the spec: method + path template.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    /// Path template without the `/api/v10` prefix, e.g. `/channels/{channel_id}/messages`.
    pub template: String,
    pub operation_id: String,
    segments: Vec<String>,
    /// Pointer to the JSON request-body schema, if the operation takes JSON.
    body_pointer: Option<String>,
}

impl Operation {
    /// `POST /channels/{channel_id}/messages`
    pub fn route(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

/// A route matched against a concrete path, with its path parameters.
#[derive(Debug, Clone)]
pub struct Matched {
    pub op: Operation,
    pub params: HashMap<String, String>,
}

impl Matched {
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn id(&self, name: &str) -> u64 {
        self.param(name).parse().unwrap_or(0)
    }
}

/// One rule the body broke.
#[derive(Debug, Clone)]
pub struct Violation {
    /// JSON pointer into the body, e.g. `/components/0/components/1/custom_id`.
    pub path: String,
    /// The rule, e.g. `maxLength` or `limit`.
    pub rule: String,
    pub message: String,
}

pub struct Spec {
    doc: Value,
    ops: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// Where Discord's documentation and its OpenAPI document disagree, the documentation is what
/// Discord accepts ("follow the docs, not the spec"): command `default_member_permissions` is
/// a permission bit set "serialized as a string" (interactions/application-commands), which the
/// spec types as an integer. Both forms are accepted.
fn follow_the_docs(doc: &mut Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for schema in schemas.values_mut() {
        let Some(field) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut("default_member_permissions"))
        else {
            continue;
        };
        if field["type"].as_array().is_some_and(|t| t.contains(&json!("integer"))) {
            let as_integer = field.clone();
            *field = json!({ "anyOf": [as_integer, { "type": "string", "pattern": "^[0-9]{1,20}$" }] });
        }
    }
}

pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_TEXT))
}

impl Spec {
    fn parse(text: &str) -> Spec {
        let mut doc: Value = serde_json::from_str(text).expect("embedded openapi.json is JSON");
        follow_the_docs(&mut doc);
        let mut ops = Vec::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (template, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                        continue;
                    }
                    let has_json =
                        op["requestBody"]["content"]["application/json"]["schema"].is_object();
                    let body_pointer = has_json.then(|| {
                        format!(
                            "/paths/{}/{}/requestBody/content/application~1json/schema",
                            template.replace('~', "~0").replace('/', "~1"),
                            method
                        )
                    });
                    ops.push(Operation {
                        method: method.to_uppercase(),
                        template: template.clone(),
                        operation_id: op["operationId"].as_str().unwrap_or("").to_string(),
                        segments: template.split('/').map(str::to_string).collect(),
                        body_pointer,
                    });
                }
            }
        }
        Spec {
            doc,
            ops,
            validators: Mutex::new(HashMap::new()),
        }
    }

    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    /// Finds the operation for `method path` (path without `/api/v10`). Literal segments win over
    /// parameters (`/messages/@original` over `/messages/{message_id}`).
    pub fn find(&self, method: &str, path: &str) -> Option<Matched> {
        let segs: Vec<&str> = path.split('/').collect();
        let mut best: Option<(Vec<bool>, &Operation)> = None;
        for op in self
            .ops
            .iter()
            .filter(|o| o.method == method && o.segments.len() == segs.len())
        {
            let mut literal = Vec::with_capacity(segs.len());
            let ok = op.segments.iter().zip(&segs).all(|(t, s)| {
                let is_param = t.starts_with('{') && t.ends_with('}');
                literal.push(!is_param);
                is_param && !s.is_empty() || t == s
            });
            if ok && best.as_ref().is_none_or(|(b, _)| literal > *b) {
                best = Some((literal, op));
            }
        }
        best.map(|(_, op)| {
            let params = op
                .segments
                .iter()
                .zip(&segs)
                .filter(|(t, _)| t.starts_with('{'))
                .map(|(t, s)| {
                    (
                        t.trim_matches(|c| c == '{' || c == '}').to_string(),
                        s.to_string(),
                    )
                })
                .collect();
            Matched {
                op: op.clone(),
                params,
            }
        })
    }

    /// Validates `body` against the schema at `pointer` (a JSON pointer into the spec).
    fn validate_pointer(&self, pointer: &str, body: &Value) -> Result<(), Vec<Violation>> {
        let validator = {
            let mut cache = self.validators.lock().unwrap_or_else(|e| e.into_inner());
            match cache.get(pointer) {
                Some(v) => v.clone(),
                None => match self.build(pointer) {
                    Ok(v) => {
                        let v = Arc::new(v);
                        cache.insert(pointer.to_string(), v.clone());
                        v
                    }
                    Err(e) => {
                        return Err(vec![Violation {
                            path: String::new(),
                            rule: "schema".into(),
                            message: format!("sandbox could not compile schema {pointer}: {e}"),
                        }])
                    }
                },
            }
        };
        let errors: Vec<Violation> = validator
            .iter_errors(body)
            .map(|e| Violation {
                path: e.instance_path().to_string(),
                rule: e.kind().keyword().to_string(),
                message: e.to_string(),
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A schema document whose root is the operation's schema and which carries
    /// `components/schemas`, so `#/components/schemas/...` references resolve.
    fn build(&self, pointer: &str) -> Result<jsonschema::Validator, String> {
        let target = self
            .doc
            .pointer(pointer)
            .ok_or_else(|| format!("no schema at {pointer}"))?;
        let mut root = Map::new();
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        match target {
            Value::Object(m) => root.extend(m.clone()),
            other => {
                root.insert("allOf".into(), json!([other.clone()]));
            }
        }
        root.insert(
            "components".into(),
            json!({ "schemas": self.doc["components"]["schemas"].clone() }),
        );
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&Value::Object(root))
            .map_err(|e| e.to_string())
    }

    /// Validates a JSON request body for the operation. For the interaction callback, whose
    /// schema is a union over callback types, the branch is chosen by `type` so the reason
    /// names the broken rule instead of "not valid under any of the schemas".
    pub fn validate_body(&self, op: &Operation, body: &Value) -> Result<(), Vec<Violation>> {
        if op.operation_id == "create_interaction_response" {
            let schema = match body["type"].as_u64() {
                Some(4 | 5) => "CreateMessageInteractionCallbackRequest",
                Some(6 | 7) => "UpdateMessageInteractionCallbackRequest",
                Some(8) => "ApplicationCommandAutocompleteCallbackRequest",
                Some(9) => "ModalInteractionCallbackRequest",
                Some(1) => "PongInteractionCallbackRequest",
                _ => {
                    return Err(vec![Violation {
                        path: "/type".into(),
                        rule: "enum".into(),
                        message: format!(
                            "{} is not a known interaction callback type",
                            body["type"]
                        ),
                    }])
                }
            };
            return self.validate_pointer(&format!("/components/schemas/{schema}"), body);
        }
        match &op.body_pointer {
            Some(p) => self.validate_pointer(p, body),
            None => Ok(()),
        }
    }
}
