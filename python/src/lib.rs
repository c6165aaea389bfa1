//! `stpsim._core`: the Python front over the stpsim library. Everything here
//! calls the library's public API; tables leave as columns (numbers as raw
//! little-endian buffers, text as codes into a list of names) that the
//! Python side turns into data frames without a row-by-row loop.

use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::collections::HashMap;
use std::path::PathBuf;
use stpsim::model::Metric;
use stpsim::model::levers::{self, LEVERS};
use stpsim::params::DICTIONARY;
use stpsim::quarter::Quarter;
use stpsim::results::summary::{
    DIFFERENCE_NUMBERS, DifferenceRow, KEY_COLUMNS, SPREAD_COLUMN, SPREAD_OVER_POSTERIOR, SUMMARY_NUMBERS, SummaryRow,
    differences, summarise,
};
use stpsim::results::{FootprintRow, Row};
use stpsim::scenario::builtin::{self, LIBRARY};

create_exception!(
    stpsim,
    ScenarioError,
    PyValueError,
    "A scenario or plan the library rejects; the message is the one the command line prints."
);

/// The parts of one library scenario error, as `ScenarioError` attributes.
#[derive(Default)]
struct Parts {
    file: String,
    line: Option<usize>,
    col: Option<usize>,
    field: String,
    value: String,
    problem: String,
    allowed: String,
    note: String,
}

fn parts(e: &stpsim::ScenarioError) -> Parts {
    use stpsim::ScenarioError as E;
    match e {
        E::At(l) => Parts {
            file: l.file.clone(),
            line: Some(l.line),
            col: Some(l.col),
            field: l.field.clone(),
            value: l.value.clone(),
            problem: l.problem.clone(),
            allowed: l.allowed.clone(),
            note: l.note.clone(),
        },
        E::Read { file, reason } => Parts {
            file: file.clone(),
            problem: reason.to_string(),
            allowed: "a readable file".into(),
            ..Parts::default()
        },
        E::Input { file, problem } => Parts { file: file.clone(), problem: problem.clone(), ..Parts::default() },
        E::Unknown { name, known, .. } => Parts {
            value: name.clone(),
            problem: "is no scenario file or built-in scenario".into(),
            allowed: format!("a scenario file, or a built-in scenario: {known}"),
            ..Parts::default()
        },
        E::Cycle { file, chain } => Parts {
            file: file.clone(),
            field: "extends".into(),
            value: chain.clone(),
            problem: "makes a cycle".into(),
            allowed: "a chain of `extends` that ends in a scenario without one".into(),
            ..Parts::default()
        },
        E::Many(v) => v.first().map(parts).unwrap_or_default(),
    }
}

fn parts_dict(py: Python<'_>, p: Parts) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let none_if_empty = |s: String| if s.is_empty() { None } else { Some(s) };
    d.set_item("rule", if p.allowed.is_empty() { p.problem.clone() } else { p.allowed.clone() })?;
    d.set_item("file", none_if_empty(p.file))?;
    d.set_item("line", p.line)?;
    d.set_item("col", p.col)?;
    d.set_item("field", none_if_empty(p.field))?;
    d.set_item("value", none_if_empty(p.value))?;
    d.set_item("problem", p.problem)?;
    d.set_item("allowed", none_if_empty(p.allowed))?;
    d.set_item("note", none_if_empty(p.note))?;
    Ok(d)
}

/// Raises a library scenario error as `ScenarioError`, with its message as the
/// command line prints it, the first mistake's parts as attributes (`field`,
/// `value`, `rule`, ...), and every mistake's (with its `message`) in `errors`.
fn scenario_error(e: stpsim::ScenarioError) -> PyErr {
    let err = ScenarioError::new_err(e.to_string());
    let set = Python::attach(|py| -> PyResult<()> {
        let v = err.value(py);
        for (k, x) in parts_dict(py, parts(&e))?.iter() {
            v.setattr(k.cast::<PyString>()?, x)?;
        }
        let all = PyList::empty(py);
        for one in e.all() {
            let d = parts_dict(py, parts(one))?;
            d.set_item("message", one.to_string())?;
            all.append(d)?;
        }
        v.setattr("errors", all)
    });
    match set {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// A library request's error as Python sees it: a scenario's mistake is a
/// `ScenarioError`, another mistake of the caller's a `ValueError`, a
/// failure while running or writing an `OSError`.
fn api_error(e: stpsim::api::Error) -> PyErr {
    match e {
        stpsim::api::Error::Scenario(s) => scenario_error(s),
        stpsim::api::Error::Usage(m) => PyValueError::new_err(m),
        failed => {
            let cause = std::error::Error::source(&failed).map_or(String::new(), |c| format!(": {c}"));
            PyOSError::new_err(format!("{failed}{cause}"))
        }
    }
}

/// A column on its way to a data frame.
enum Column {
    /// Text as codes into names, as a dictionary-encoded Arrow array holds it.
    Coded(Vec<u32>, Vec<String>),
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    /// Text that may be missing, for small tables.
    Text(Vec<Option<String>>),
}

/// Codes text in first-seen order.
#[derive(Default)]
struct Coder {
    names: Vec<String>,
    index: HashMap<String, u32>,
    codes: Vec<u32>,
}

impl Coder {
    fn push(&mut self, name: &str) {
        let code = match self.index.get(name) {
            Some(&c) => c,
            None => {
                let c = self.names.len() as u32;
                self.names.push(name.to_string());
                self.index.insert(name.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }

    fn column(self) -> Column {
        Column::Coded(self.codes, self.names)
    }
}

fn bytes_of<T: Copy, const N: usize>(values: &[T], to_le: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * N);
    for &v in values {
        out.extend_from_slice(&to_le(v));
    }
    out
}

/// `[(name, kind, buffer or list, names or None)]`, read by `stpsim._frames`.
fn table<'py>(py: Python<'py>, columns: Vec<(&str, Column)>) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (name, c) in columns {
        let item = match c {
            Column::Coded(codes, names) => {
                let buf = PyByteArray::new(py, &bytes_of(&codes, u32::to_le_bytes));
                (name, "coded", buf.into_any(), PyList::new(py, names)?.into_any())
            }
            Column::Int(v) => (
                name,
                "i64",
                PyByteArray::new(py, &bytes_of(&v, i64::to_le_bytes)).into_any(),
                py.None().into_bound(py),
            ),
            Column::Float(v) => (
                name,
                "f64",
                PyByteArray::new(py, &bytes_of(&v, f64::to_le_bytes)).into_any(),
                py.None().into_bound(py),
            ),
            Column::Bool(v) => (name, "bool", PyList::new(py, v)?.into_any(), py.None().into_bound(py)),
            Column::Text(v) => (name, "text", PyList::new(py, v)?.into_any(), py.None().into_bound(py)),
        };
        out.append(PyTuple::new(
            py,
            [item.0.into_pyobject(py)?.into_any(), item.1.into_pyobject(py)?.into_any(), item.2, item.3],
        )?)?;
    }
    Ok(out)
}

/// The key columns (`KEY_COLUMNS`) of summary and differences rows.
fn keys<'a>(rows: impl Iterator<Item = (&'a str, Quarter, Metric)> + Clone) -> Vec<(&'static str, Column)> {
    let quarters: Vec<String> = rows.clone().map(|x| x.1.to_string()).collect();
    let [s, q, m] = KEY_COLUMNS;
    vec![
        (s, text(rows.clone().map(|x| x.0))),
        (q, text(quarters.iter().map(String::as_str))),
        (m, text(rows.map(|x| x.2.name()))),
    ]
}

fn text<'a>(values: impl Iterator<Item = &'a str>) -> Column {
    let mut c = Coder::default();
    values.for_each(|v| c.push(v));
    c.column()
}

/// The built-in scenario library.
#[pyfunction]
fn scenarios(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let loaded: Vec<stpsim::Scenario> =
        LIBRARY.iter().map(|b| stpsim::scenario::load(b.name)).collect::<Result<_, _>>().map_err(scenario_error)?;
    let questions: Vec<String> = LIBRARY.iter().map(|b| builtin::question(b.text)).collect();
    table(
        py,
        vec![
            ("name", text(LIBRARY.iter().map(|b| b.name))),
            ("file", text(LIBRARY.iter().map(|b| b.file))),
            ("question", text(questions.iter().map(String::as_str))),
            ("description", text(loaded.iter().map(|s| s.description.as_str()))),
            ("start", text(loaded.iter().map(|s| s.start.to_string()).collect::<Vec<_>>().iter().map(String::as_str))),
            ("end", text(loaded.iter().map(|s| s.end.to_string()).collect::<Vec<_>>().iter().map(String::as_str))),
            ("levers", Column::Int(loaded.iter().map(|s| s.levers.len() as i64).collect())),
        ],
    )
}

/// The parameter dictionary.
#[pyfunction]
fn params(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    table(
        py,
        vec![
            ("name", text(DICTIONARY.iter().map(|d| d.name))),
            ("group", text(DICTIONARY.iter().map(|d| d.group))),
            ("default", Column::Float(DICTIONARY.iter().map(|d| d.default).collect())),
            ("min", Column::Float(DICTIONARY.iter().map(|d| d.min).collect())),
            ("max", Column::Float(DICTIONARY.iter().map(|d| d.max).collect())),
            ("integer", Column::Bool(DICTIONARY.iter().map(|d| d.integer()).collect())),
            ("unit", text(DICTIONARY.iter().map(|d| d.unit))),
            ("source", text(DICTIONARY.iter().map(|d| d.source))),
            ("description", text(DICTIONARY.iter().map(|d| d.description))),
        ],
    )
}

/// The metrics recorded every quarter.
#[pyfunction]
fn metrics(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let all = Metric::ALL;
    // Ranges as the default parameters bound them (gaps up to `gap_cap`).
    let defaults = stpsim::params::Params::default();
    table(
        py,
        vec![
            ("name", text(all.iter().map(|m| m.name()))),
            ("unit", text(all.iter().map(|m| m.unit()))),
            ("min", Column::Float(all.iter().map(|m| m.range(&defaults).0).collect())),
            ("max", Column::Float(all.iter().map(|m| m.range(&defaults).1).collect())),
            ("description", text(all.iter().map(|m| m.description()))),
        ],
    )
}

/// The lever table: one row per field of each kind (a kind without fields
/// has one row with no field), as `stpsim levers` prints it.
#[pyfunction(name = "levers")]
fn lever_table(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let mut rows: Vec<(&levers::LeverDef, Option<&levers::Field>)> = Vec::new();
    for d in &LEVERS {
        if d.fields.is_empty() {
            rows.push((d, None));
        }
        rows.extend(d.fields.iter().map(|f| (d, Some(f))));
    }
    let field =
        |g: &dyn Fn(&levers::Field) -> String| -> Column { Column::Text(rows.iter().map(|(_, f)| f.map(g)).collect()) };
    let number = |g: &dyn Fn(&levers::Field) -> Option<f64>| -> Column {
        Column::Float(rows.iter().map(|(_, f)| f.and_then(g).unwrap_or(f64::NAN)).collect())
    };
    let numeric = |f: &levers::Field| matches!(f.form, levers::Form::Number | levers::Form::Whole);
    table(
        py,
        vec![
            ("kind", text(rows.iter().map(|(d, _)| d.name))),
            ("label", text(rows.iter().map(|(d, _)| d.label))),
            ("acts", text(rows.iter().map(|(d, _)| if d.national { "national" } else { "footprints" }))),
            ("doc", text(rows.iter().map(|(d, _)| d.doc.trim()))),
            ("field", field(&|f| f.name.to_string())),
            ("form", field(&|f| f.form.name().to_string())),
            ("unit", field(&|f| f.spec.unit.to_string())),
            ("min", number(&|f| numeric(f).then_some(f.spec.min))),
            ("max", number(&|f| numeric(f).then_some(f.spec.max))),
            ("range", field(&levers::range_text)),
            ("default", field(&levers::default_text)),
            ("field_doc", field(&|f| f.doc.trim().to_string())),
        ],
    )
}

/// A validated scenario.
#[pyclass(frozen, module = "stpsim")]
#[derive(Clone)]
struct Scenario {
    inner: stpsim::Scenario,
}

/// A Python value as TOML, so a scenario built from dicts is read by the
/// same parser and validator as a file.
fn to_toml(v: &Bound<'_, PyAny>, path: &str) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i64 = v.extract().map_err(|_| PyValueError::new_err(format!("`{path}`: {v} is too large")))?;
        return Ok(toml::Value::Integer(i));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            let k: String =
                k.extract().map_err(|_| PyTypeError::new_err(format!("`{path}`: keys must be strings, not {k}")))?;
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            t.insert(k, to_toml(&x, &p)?);
        }
        return Ok(toml::Value::Table(t));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut a = Vec::new();
        for (i, x) in v.try_iter()?.enumerate() {
            a.push(to_toml(&x?, &format!("{path}[{i}]"))?);
        }
        return Ok(toml::Value::Array(a));
    }
    if v.is_none() {
        return Err(PyTypeError::new_err(format!("`{path}` is None: leave a field out rather than set it to None")));
    }
    // Anything else that reads as a number (numpy scalars) is taken as one.
    if let Ok(x) = v.extract::<f64>() {
        return Ok(toml::Value::Float(x));
    }
    Err(PyTypeError::new_err(format!(
        "`{path}` = {v} cannot be written in a scenario: use strings, numbers, booleans, lists and dicts"
    )))
}

fn cwd() -> Option<PathBuf> {
    std::env::current_dir().ok()
}

#[pymethods]
impl Scenario {
    /// A built-in scenario by name, or a scenario file by path.
    #[staticmethod]
    fn load(name: PathBuf) -> PyResult<Scenario> {
        let arg = name.to_string_lossy();
        stpsim::scenario::load(&arg).map(|inner| Scenario { inner }).map_err(scenario_error)
    }

    /// A scenario from the text of a scenario file; `file` names it in
    /// messages, and relative paths (`extends`, structure files) are read
    /// from its folder (the current folder if it names none).
    #[staticmethod]
    #[pyo3(signature = (text, file = "<string>"))]
    fn from_toml(text: &str, file: &str) -> PyResult<Scenario> {
        let dir = std::path::Path::new(file).parent().filter(|p| !p.as_os_str().is_empty()).map(|p| p.to_path_buf());
        stpsim::scenario::load_text(text, file, dir.or_else(cwd))
            .map(|inner| Scenario { inner })
            .map_err(scenario_error)
    }

    /// A scenario from Python values, written as a scenario file's TOML and
    /// read like one: `extends` a built-in name or file, `params` a dict of
    /// parameters, `levers` a list of dicts with `kind`, `start` and the
    /// lever's fields, and any other top-level field (description, start,
    /// end, structure, ready, ...) by keyword.
    #[staticmethod]
    #[pyo3(signature = (name, extends = None, params = None, levers = None, **fields))]
    fn new(
        name: &Bound<'_, PyAny>,
        extends: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
        levers: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Scenario> {
        let mut t = toml::Table::new();
        t.insert("name".into(), to_toml(name, "name")?);
        if let Some(e) = extends {
            let e = match e.cast::<Scenario>() {
                Ok(s) => builtin_or_file(&s.get().inner)?,
                Err(_) => to_toml(e, "extends")?,
            };
            t.insert("extends".into(), e);
        }
        if let Some(f) = fields {
            for (k, v) in f.iter() {
                let k: String = k.extract()?;
                t.insert(k.clone(), to_toml(&v, &k)?);
            }
        }
        if let Some(p) = params {
            t.insert("params".into(), to_toml(p, "params")?);
        }
        if let Some(l) = levers {
            t.insert("levers".into(), to_toml(l, "levers")?);
        }
        let text = toml::to_string(&t).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let shown: String = name.extract().unwrap_or_else(|_| name.to_string());
        let file = format!("<Scenario.new {shown}>");
        stpsim::scenario::load_text(&text, &file, cwd()).map(|inner| Scenario { inner }).map_err(scenario_error)
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    #[getter]
    fn description(&self) -> &str {
        &self.inner.description
    }

    /// Where it came from: a path, or the built-in file.
    #[getter]
    fn source(&self) -> &str {
        &self.inner.source
    }

    #[getter]
    fn start(&self) -> String {
        self.inner.start.to_string()
    }

    #[getter]
    fn end(&self) -> String {
        self.inner.end.to_string()
    }

    /// Every parameter's value.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for def in DICTIONARY {
            d.set_item(def.name, self.inner.params.get(def.name))?;
        }
        Ok(d)
    }

    /// Parameters that differ from the dictionary's defaults.
    #[getter]
    fn changed_params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.inner.changed_params() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The levers, resolved, as dicts.
    #[getter]
    fn levers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.levers)
    }

    /// Everything the scenario resolved to, as plain Python values.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        let s = &self.inner;
        format!(
            "<Scenario {} {}..{}, {} lever{}, {} changed parameter{}, from {}>",
            s.name,
            s.start,
            s.end,
            s.levers.len(),
            if s.levers.len() == 1 { "" } else { "s" },
            s.changed_params().len(),
            if s.changed_params().len() == 1 { "" } else { "s" },
            s.source
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Scenario>().is_ok_and(|o| o.get().inner == self.inner)
    }
}

/// How another scenario can be extended by reference: a built-in by name, a
/// file by path.
fn builtin_or_file(s: &stpsim::Scenario) -> PyResult<toml::Value> {
    if builtin::get(&s.name).is_some_and(|(file, _)| file == s.source) {
        return Ok(toml::Value::String(s.name.clone()));
    }
    if std::path::Path::new(&s.source).is_file() {
        return Ok(toml::Value::String(s.source.clone()));
    }
    Err(PyValueError::new_err(format!(
        "scenario `{}` has no file to extend (it came from {}); extend a built-in name or a file path",
        s.name, s.source
    )))
}

fn json<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let s = serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (s,))
}

/// The results of one run, held by the library until asked for.
#[pyclass(frozen, module = "stpsim")]
struct Run {
    job: stpsim::job::Job,
    made: stpsim::job::Provenance,
    results: stpsim::Results,
    summary: Vec<SummaryRow>,
    differences: Vec<DifferenceRow>,
    #[pyo3(get)]
    replicates: u32,
    #[pyo3(get)]
    seed: u64,
    #[pyo3(get)]
    threads: usize,
}

fn tidy_table<'a>(py: Python<'_>, rows: impl Iterator<Item = Row<'a>>, n: usize) -> PyResult<Bound<'_, PyList>> {
    let (mut s, mut q, mut m) = (Coder::default(), Coder::default(), Coder::default());
    let (mut rep, mut val) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut quarter = String::new();
    let mut last = None;
    for r in rows {
        s.push(r.scenario);
        rep.push(r.replicate as i64);
        if last != Some(r.quarter) {
            quarter = r.quarter.to_string();
            last = Some(r.quarter);
        }
        q.push(&quarter);
        m.push(r.metric.name());
        val.push(r.value);
    }
    table(
        py,
        vec![
            ("scenario", s.column()),
            ("replicate", Column::Int(rep)),
            ("quarter", q.column()),
            ("metric", m.column()),
            ("value", Column::Float(val)),
        ],
    )
}

fn footprint_table<'a>(py: Python<'_>, rows: impl Iterator<Item = FootprintRow<'a>>) -> PyResult<Bound<'_, PyList>> {
    let (mut s, mut q, mut f, mut m) = (Coder::default(), Coder::default(), Coder::default(), Coder::default());
    let (mut rep, mut val) = (Vec::new(), Vec::new());
    for r in rows {
        s.push(r.scenario);
        rep.push(r.replicate as i64);
        q.push(&r.quarter.to_string());
        f.push(r.footprint);
        m.push(r.metric.name());
        val.push(r.value);
    }
    table(
        py,
        vec![
            ("scenario", s.column()),
            ("replicate", Column::Int(rep)),
            ("quarter", q.column()),
            ("footprint", f.column()),
            ("metric", m.column()),
            ("value", Column::Float(val)),
        ],
    )
}

#[pymethods]
impl Run {
    /// The tidy table: scenario, replicate, quarter, metric, value.
    fn timeseries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let n = self.results.scenarios.iter().map(|s| s.values.len()).sum();
        tidy_table(py, self.results.rows(), n)
    }

    /// Every footprint's metrics, for the replicates that kept them.
    fn footprints<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        footprint_table(py, self.results.footprint_rows())
    }

    /// summary.csv's columns: mean, sd and quantiles over replicates, and
    /// over a posterior the `spread` column, as the command line writes them.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let r = &self.summary;
        let mut columns = keys(r.iter().map(|x| (x.scenario.as_str(), x.quarter, x.metric)));
        columns.extend(SUMMARY_NUMBERS.iter().map(|&(name, g)| (name, Column::Float(r.iter().map(g).collect()))));
        if self.job.posterior.is_some() {
            columns.push((SPREAD_COLUMN, text(r.iter().map(|_| SPREAD_OVER_POSTERIOR))));
        }
        table(py, columns)
    }

    /// differences.csv's columns: paired differences from the first scenario.
    fn differences<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let r = &self.differences;
        let mut columns = keys(r.iter().map(|x| (x.scenario.as_str(), x.quarter, x.metric)));
        columns.extend(DIFFERENCE_NUMBERS.iter().map(|&(name, g)| (name, Column::Float(r.iter().map(g).collect()))));
        table(py, columns)
    }

    /// Writes the run's files into `out` as `stpsim run --out` does, with
    /// the library's writer (timeseries.csv, summary.csv, differences.csv,
    /// footprints.csv when kept, manifest.json, one set moved in together,
    /// holding the folder's lock); with `charts`, also the charts and
    /// report.html, drawn as `stpsim run` draws them.
    #[pyo3(signature = (out, charts = false))]
    fn write(&self, py: Python<'_>, out: PathBuf, charts: bool) -> PyResult<Vec<&'static str>> {
        let done = py
            .detach(|| stpsim::job::write_to(&out, &self.job, &self.results, &self.made, charts))
            .map_err(api_error)?;
        Ok(done.written.files)
    }
}

/// Runs scenarios on a pool of `threads` workers with the interpreter
/// released, so other Python threads go on meanwhile. The request is the
/// one `stpsim run` makes: replicates and seed left at None come from the
/// first scenario that sets them, else the defaults table.
#[pyfunction]
#[pyo3(signature = (scenarios, replicates = None, seed = None, threads = None, footprint_replicates = None, posterior = None, memory_limit = None))]
fn run(
    py: Python<'_>,
    scenarios: Vec<Bound<'_, Scenario>>,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    footprint_replicates: Option<u32>,
    posterior: Option<PathBuf>,
    memory_limit: Option<f64>,
) -> PyResult<Run> {
    let loaded: Vec<stpsim::Scenario> = scenarios.iter().map(|s| s.get().inner.clone()).collect();
    if loaded.is_empty() {
        return Err(PyValueError::new_err("no scenarios to run"));
    }
    let request = stpsim::job::RunRequest {
        loaded,
        common: stpsim::api::Common { replicates, seed, threads, memory_limit, ..Default::default() },
        per_footprint: footprint_replicates != Some(0) && footprint_replicates.is_some(),
        footprint_replicates: footprint_replicates.filter(|&n| n > 0 && n != u32::MAX),
        posterior,
        ..Default::default()
    };
    let job = request.resolve().map_err(|e| api_error(e.into()))?;
    job.check_memory().map_err(|e| pyo3::exceptions::PyMemoryError::new_err(e.to_string()))?;
    let (replicates, seed) = (job.options.replicates, job.options.seed);
    let command = std::iter::once("stpsim.run".to_string())
        .chain(job.scenarios.iter().map(|s| s.source.clone()))
        .chain([format!("replicates={replicates}"), format!("seed={seed}")])
        .collect();
    let started = std::time::SystemTime::now();
    let clock = std::time::Instant::now();
    let (results, summary, differences) = py.detach(|| {
        let results = job.run();
        let summary = summarise(results.rows());
        let differences = differences(&results);
        (results, summary, differences)
    });
    let made = stpsim::job::Provenance { command, started, wall_seconds: clock.elapsed().as_secs_f64() };
    let threads = job.threads;
    Ok(Run { job, made, results, summary, differences, replicates, seed, threads })
}

/// Runs a sweep plan into `out` as `stpsim sweep` (or `stpsim sensitivity`)
/// does, through the same request, with the interpreter released; returns
/// the design's factor names.
#[pyfunction]
#[pyo3(signature = (plan, out, sensitivity = false, resume = false, threads = None, charts = false, replicates = None, seed = None, memory_limit = None, posterior = None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    plan: PathBuf,
    out: PathBuf,
    sensitivity: bool,
    resume: bool,
    threads: Option<usize>,
    charts: bool,
    replicates: Option<u32>,
    seed: Option<u64>,
    memory_limit: Option<f64>,
    posterior: Option<PathBuf>,
) -> PyResult<Vec<String>> {
    let request = stpsim::api::sweep::SweepRequest {
        plan,
        sensitivity,
        resume,
        shard: None,
        posterior,
        common: stpsim::api::Common {
            replicates,
            seed,
            threads,
            out: Some(out),
            no_charts: !charts,
            memory_limit,
            ..Default::default()
        },
        parquet: false,
    };
    let job = request.resolve().map_err(api_error)?;
    py.detach(|| {
        let _lock = job.claim()?;
        job.run(&stpsim::api::Silent)?;
        job.write()
    })
    .map_err(api_error)?;
    Ok(job.plan.factors.iter().map(|f| f.name.clone()).collect())
}

/// Calibrates as `stpsim calibrate` does, through the same request (ABC-SMC
/// over a targets file, with `resume` from the folder's checkpoint, or the
/// bracketing fit), writing into `out`; returns the files written.
#[pyfunction]
#[pyo3(signature = (out, method = "abc", targets = None, scenario = None, target = None, particles = None, final_tolerance = None, tolerance = None, resume = false, replicates = None, seed = None, threads = None, memory_limit = None))]
#[allow(clippy::too_many_arguments)]
fn calibrate(
    py: Python<'_>,
    out: PathBuf,
    method: &str,
    targets: Option<PathBuf>,
    scenario: Option<String>,
    target: Option<Vec<String>>,
    particles: Option<u32>,
    final_tolerance: Option<f64>,
    tolerance: Option<f64>,
    resume: bool,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    memory_limit: Option<f64>,
) -> PyResult<Vec<String>> {
    use stpsim::api::calibrate::{CalibrateRequest, Method};
    let method = match method {
        "abc" => Method::Abc,
        "bracket" => Method::Bracket,
        other => return Err(PyValueError::new_err(format!("method = {other:?}: allowed \"abc\" or \"bracket\""))),
    };
    let request = CalibrateRequest {
        method,
        scenario,
        targets,
        target,
        particles,
        final_tolerance,
        tolerance,
        resume,
        common: stpsim::api::Common { replicates, seed, threads, out: Some(out), memory_limit, ..Default::default() },
        ..Default::default()
    };
    let job = request.resolve().map_err(api_error)?;
    py.detach(|| {
        let _lock = job.claim()?;
        let fitted = job.run(&stpsim::api::Silent)?;
        job.write(&fitted)
    })
    .map_err(api_error)
}

/// The defaults table every front reads: (name, value, meaning) rows.
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let rows = stpsim::core::defaults::table();
    table(
        py,
        vec![
            ("name", Column::Text(rows.iter().map(|r| Some(r.0.to_string())).collect())),
            ("value", Column::Text(rows.iter().map(|r| Some(r.1.clone())).collect())),
            ("meaning", Column::Text(rows.iter().map(|r| Some(r.2.to_string())).collect())),
        ],
    )
}

/// Runs a decision plan into `out` as `stpsim decide` does, with the
/// interpreter released, charts and report included; returns the answer in words.
#[pyfunction]
#[pyo3(signature = (plan, out, seed = None, replicates = None, threads = None, resume = false, memory_limit = None))]
#[allow(clippy::too_many_arguments)]
fn decide(
    py: Python<'_>,
    plan: PathBuf,
    out: PathBuf,
    seed: Option<u64>,
    replicates: Option<u32>,
    threads: Option<usize>,
    resume: bool,
    memory_limit: Option<f64>,
) -> PyResult<String> {
    let request = stpsim::api::decide::DecideRequest {
        plan,
        resume,
        shard: None,
        parquet: false,
        common: stpsim::api::Common { seed, replicates, threads, out: Some(out), memory_limit, ..Default::default() },
    };
    let job = py.detach(|| request.resolve()).map_err(api_error)?;
    py.detach(|| {
        let _lock = job.claim()?;
        let frame = job.run(&stpsim::api::Silent)?.ok_or_else(|| stpsim::api::Error::Usage("a shard finishes nothing".into()))?;
        job.write()?;
        job.answer(&frame)
    })
    .map_err(api_error)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_class::<Scenario>()?;
    m.add_class::<Run>()?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(params, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    m.add_function(wrap_pyfunction!(lever_table, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    m.add_function(wrap_pyfunction!(decide, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
