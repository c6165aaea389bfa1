//! The lever kinds as the page draws their controls: the library's one
//! declaration (`model::levers::LEVERS`) as JSON. Scenario validation, not
//! the page, decides what is accepted.

use serde_json::{Value, json};
use stpsim::model::levers::{Default, Form, LEVERS};
use stpsim::params::{FundYear, Params};

pub fn declarations() -> Vec<Value> {
    let defaults = Params::default();
    LEVERS
        .iter()
        .map(|d| {
            let fields: Vec<Value> = d
                .fields
                .iter()
                .map(|f| {
                    let control = match f.form {
                        Form::Number => "number",
                        Form::Whole => "whole",
                        Form::Switch => "switch",
                        Form::Years => "years",
                    };
                    // What a new lever starts with: the declared default, a
                    // parameter's (left out, so the scenario's applies), or for
                    // a required field the middle of its range.
                    let (start_value, default) = match f.spec.default {
                        Default::Required if f.form == Form::Years => (years(&defaults.fund_schedule()), Value::Null),
                        Default::Required => (json!((f.spec.min + f.spec.max) / 2.0), Value::Null),
                        Default::Number(x) => (json!(x), json!(x)),
                        Default::Switch(b) => (json!(b), json!(b)),
                        Default::Param(p) => (Value::Null, json!({ "param": p })),
                    };
                    json!({
                        "name": f.name,
                        "doc": f.doc,
                        "control": control,
                        "unit": f.spec.unit,
                        "min": f.spec.min,
                        "max": f.spec.max,
                        "required": f.spec.default == Default::Required,
                        "default": default,
                        "start_value": start_value,
                    })
                })
                .collect();
            json!({ "kind": d.name, "label": d.label, "doc": d.doc, "national": d.national, "fields": fields })
        })
        .collect()
}

/// A fund schedule as scenario files write it.
pub fn years(ys: &[FundYear]) -> Value {
    ys.iter()
        .map(|y| {
            json!({
                "year": format!("{}/{:02}", y.start_year, (y.start_year + 1).rem_euclid(100)),
                "total_gbp_bn": y.total_gbp_bn,
                "transformation_share": y.transformation_share,
            })
        })
        .collect()
}
