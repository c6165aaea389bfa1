//! Levers: timed governance interventions as data. Every lever kind is
//! declared once, in the `levers!` table below; scenario parsing and its
//! messages, sweep factors (`lever.KIND.FIELD`), chart labels, `stpsim
//! levers` and docs/levers.md all read that table, and `apply` is the one
//! place that switches levers on and off during a run.
//!
//! The settings levers change live here too: a footprint's [`Governance`] and
//! the national [`Policy`]. Phases read them; only levers write them.

use super::metrics::Metric;
use crate::core::params::{FundYear, Params};
use crate::core::quarter::Quarter;
use serde::Serialize;
use serde::ser::SerializeMap;

/// A footprint's governance: every footprint setting a lever may change,
/// with its value before any lever.
#[derive(Clone, Debug, PartialEq)]
pub struct Governance {
    /// The lead organisation (an index into the organisation arrays).
    pub lead: usize,
    pub authority: f64,
    /// Legitimacy added by a formal appointment.
    pub formal_bonus: f64,
    pub decision_rights: bool,
    /// Majority rule instead of every member's veto.
    pub majority: bool,
    /// CCGs vote as one bloc.
    pub committees_in_common: bool,
    pub council_seats: f64,
    pub pace: f64,
    /// Accountable care evolution is on, with its threshold and quarters averaged.
    pub acs_enabled: bool,
    pub acs_threshold: f64,
    pub acs_quarters: usize,
    /// The national bodies designated it an accountable care system (spec 1.4);
    /// phase 1 then makes it one, for good.
    pub acs_designated: bool,
    /// Joint working builds trust here (phase 9, spec 1.4).
    pub joint_working: bool,
}

impl Governance {
    /// Before any lever: led by `lead`, moving at the footprint's readiness.
    pub fn new(p: &Params, lead: usize, readiness: f64) -> Governance {
        Governance {
            lead,
            authority: p.authority0,
            formal_bonus: 0.0,
            decision_rights: false,
            majority: false,
            committees_in_common: false,
            council_seats: p.council_seats0,
            pace: readiness,
            acs_enabled: false,
            acs_threshold: p.acs_threshold,
            acs_quarters: p.acs_quarters as usize,
            acs_designated: false,
            joint_working: false,
        }
    }
}

/// National bodies' settings that a lever may change.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The conditionality c: share of a provider's sustainability funding withheld after it self-prioritised; weight of collaboration in transformation funding.
    pub conditionality: f64,
    /// Probability that an escalated proposal gets national intervention.
    pub intervention: f64,
    pub clarity_hazard: f64,
    /// The fund's amounts by financial year.
    pub schedule: Vec<FundYear>,
}

impl Policy {
    pub fn new(p: &Params) -> Policy {
        Policy {
            conditionality: p.conditionality,
            intervention: p.intervention,
            clarity_hazard: p.clarity_hazard,
            schedule: p.fund_schedule(),
        }
    }
}

/// What a lever may read where it acts, beside the setting it changes.
pub struct Site<'a> {
    pub p: &'a Params,
    /// The footprint's largest council by budget (None nationally, or with no council).
    pub largest_council: Option<usize>,
}

/// Where levers act: implemented by the model's state.
pub trait Sites {
    fn footprint(&mut self, f: usize) -> (&mut Governance, Site<'_>);
    fn national(&mut self) -> (&mut Policy, Site<'_>);
}

/// One lever kind's behaviour: what it changes on a start and how its end
/// restores it. `Saved` is what the start kept for the end.
pub trait Effect {
    /// `Governance` (a footprint lever) or `Policy` (a national one).
    type On: Place;
    type Saved: Clone + std::fmt::Debug;
    fn begin(&self, on: &mut Self::On, at: &Site) -> Self::Saved;
    fn end(saved: Self::Saved, on: &mut Self::On);
}

/// Footprint or national: where a lever's setting lives, and so which
/// footprints a start reaches.
pub trait Place: Sized {
    const NATIONAL: bool;
    fn begin<K: Effect<On = Self>>(k: &K, w: &mut dyn Sites, targets: &[usize], saved: &mut Vec<K::Saved>);
    fn end<K: Effect<On = Self>>(w: &mut dyn Sites, targets: &[usize], saved: &mut Vec<K::Saved>);
}

impl Place for Governance {
    const NATIONAL: bool = false;
    fn begin<K: Effect<On = Self>>(k: &K, w: &mut dyn Sites, targets: &[usize], saved: &mut Vec<K::Saved>) {
        saved.clear();
        for &f in targets {
            let (g, at) = w.footprint(f);
            saved.push(k.begin(g, &at));
        }
    }
    fn end<K: Effect<On = Self>>(w: &mut dyn Sites, targets: &[usize], saved: &mut Vec<K::Saved>) {
        for (&f, s) in targets.iter().zip(saved.drain(..)) {
            K::end(s, w.footprint(f).0);
        }
    }
}

impl Place for Policy {
    const NATIONAL: bool = true;
    fn begin<K: Effect<On = Self>>(k: &K, w: &mut dyn Sites, _: &[usize], saved: &mut Vec<K::Saved>) {
        saved.clear();
        let (n, at) = w.national();
        saved.push(k.begin(n, &at));
    }
    fn end<K: Effect<On = Self>>(w: &mut dyn Sites, _: &[usize], saved: &mut Vec<K::Saved>) {
        if let Some(s) = saved.pop() {
            K::end(s, w.national().0);
        }
    }
}

/// How a field is written in a scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// A number in a range.
    Number,
    /// A whole number in a range.
    Whole,
    /// true or false (a sweep factor sets it as 0 or 1).
    Switch,
    /// A list of `{ year, total_gbp_bn, transformation_share }` tables.
    Years,
}

impl Form {
    pub fn name(self) -> &'static str {
        match self {
            Form::Number => "number",
            Form::Whole => "whole number",
            Form::Switch => "switch",
            Form::Years => "list of years",
        }
    }
}

/// A field's value when a scenario leaves it out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    /// The scenario must give it.
    Required,
    Number(f64),
    Switch(bool),
    /// The scenario's value of this parameter, known once its layers merge.
    Param(&'static str),
}

/// A field's unit, range and default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spec {
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub default: Default,
}

impl Spec {
    /// A required number (or whole number) from `min` to `max`.
    pub const fn range(min: f64, max: f64) -> Spec {
        Spec { unit: "", min, max, default: Default::Required }
    }
    pub const fn switch(default: bool) -> Spec {
        Spec { unit: "", min: 0.0, max: 1.0, default: Default::Switch(default) }
    }
    pub const fn years() -> Spec {
        Spec { unit: "", min: 0.0, max: 0.0, default: Default::Required }
    }
    pub const fn unit(self, unit: &'static str) -> Spec {
        Spec { unit, ..self }
    }
    pub const fn or_param(self, name: &'static str) -> Spec {
        Spec { default: Default::Param(name), ..self }
    }
}

/// One field of a lever kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub doc: &'static str,
    pub form: Form,
    pub spec: Spec,
}

/// One lever kind as the table declares it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeverDef {
    /// Its name in scenario files.
    pub name: &'static str,
    /// Its name on charts and in the report.
    pub label: &'static str,
    pub doc: &'static str,
    /// Acts nationally (takes no `footprints`).
    pub national: bool,
    pub fields: &'static [Field],
    /// Metrics it sets by construction (an accountable care lever makes
    /// accountable care systems), which a finding must never report as its effect.
    pub sets: &'static [Metric],
}

/// A field's value, whatever its form.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    Number(f64),
    Whole(usize),
    Switch(bool),
    Years(Vec<FundYear>),
}

impl Serialize for Setting {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Setting::Number(x) => s.serialize_f64(*x),
            Setting::Whole(n) => s.serialize_u64(*n as u64),
            Setting::Switch(b) => s.serialize_bool(*b),
            Setting::Years(v) => v.serialize(s),
        }
    }
}

/// The Rust type of a field, and so its form.
pub trait FieldType: Sized {
    const FORM: Form;
    fn from_setting(s: Setting) -> Option<Self>;
    fn to_setting(&self) -> Setting;
}

impl FieldType for f64 {
    const FORM: Form = Form::Number;
    fn from_setting(s: Setting) -> Option<f64> {
        if let Setting::Number(x) = s { Some(x) } else { None }
    }
    fn to_setting(&self) -> Setting {
        Setting::Number(*self)
    }
}

impl FieldType for usize {
    const FORM: Form = Form::Whole;
    fn from_setting(s: Setting) -> Option<usize> {
        if let Setting::Whole(n) = s { Some(n) } else { None }
    }
    fn to_setting(&self) -> Setting {
        Setting::Whole(*self)
    }
}

impl FieldType for bool {
    const FORM: Form = Form::Switch;
    fn from_setting(s: Setting) -> Option<bool> {
        if let Setting::Switch(b) = s { Some(b) } else { None }
    }
    fn to_setting(&self) -> Setting {
        Setting::Switch(*self)
    }
}

impl FieldType for Vec<FundYear> {
    const FORM: Form = Form::Years;
    fn from_setting(s: Setting) -> Option<Vec<FundYear>> {
        if let Setting::Years(v) = s { Some(v) } else { None }
    }
    fn to_setting(&self) -> Setting {
        Setting::Years(self.clone())
    }
}

/// Declares every lever kind: for each, a struct of its fields (each with its
/// doc, Rust type and [`Spec`]), its scenario name and chart label; the kind's
/// behaviour is its `impl Effect` below the table. From these it generates
/// `LeverAction` (a kind with its settings), the `LEVERS` table and the
/// per-replicate state, with no catch-all arm anywhere: a kind missing from a
/// match, or without `impl Effect`, does not compile.
macro_rules! levers {
    ($(
        $(#[doc = $doc:literal])*
        $Kind:ident $name:literal, $label:literal $(, sets [$($sets:ident),*])? {
            $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty = $spec:expr ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Debug, PartialEq)]
            pub struct $Kind { $( $(#[doc = $fdoc])* pub $field: $ty, )* }

            impl $Kind {
                const FIELDS: &'static [Field] = &[$(
                    Field { name: stringify!($field), doc: concat!($($fdoc),*), form: <$ty as FieldType>::FORM, spec: $spec }
                ),*];

                #[allow(unused_variables)]
                fn from_settings(s: &mut std::vec::IntoIter<Setting>) -> Option<$Kind> {
                    Some($Kind { $( $field: <$ty as FieldType>::from_setting(s.next()?)? ),* })
                }

                fn settings(&self) -> Vec<Setting> {
                    vec![$( FieldType::to_setting(&self.$field) ),*]
                }
            }
        )*

        /// A lever kind with its settings.
        #[derive(Clone, Debug, PartialEq)]
        pub enum LeverAction { $( $Kind($Kind) ),* }

        /// Lever kinds without their settings, in table order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum LeverKind { $( $Kind ),* }

        /// Number of lever kinds.
        pub const N_LEVER_KINDS: usize = [$( $name ),*].len();

        /// Every lever kind, as declared.
        pub const LEVERS: [LeverDef; N_LEVER_KINDS] = [$(
            LeverDef {
                name: $name,
                label: $label,
                doc: concat!($($doc),*),
                national: <<$Kind as Effect>::On as Place>::NATIONAL,
                fields: $Kind::FIELDS,
                sets: &[ $( $( Metric::$sets ),* )? ],
            }
        ),*];

        impl LeverKind {
            pub const ALL: [LeverKind; N_LEVER_KINDS] = [$( LeverKind::$Kind ),*];
        }

        impl LeverAction {
            /// Every lever kind, by its name in scenario files.
            pub const KINDS: [&'static str; N_LEVER_KINDS] = [$( $name ),*];

            pub fn kind(&self) -> LeverKind {
                match self { $( LeverAction::$Kind(_) => LeverKind::$Kind ),* }
            }

            /// The field values in declared order.
            pub fn settings(&self) -> Vec<Setting> {
                match self { $( LeverAction::$Kind(k) => k.settings() ),* }
            }

            /// A lever of kind `kind` from its field values in declared
            /// order; None if they do not match its fields.
            pub fn from_settings(kind: LeverKind, s: Vec<Setting>) -> Option<LeverAction> {
                let n = s.len();
                let mut it = s.into_iter();
                let a = match kind { $( LeverKind::$Kind => LeverAction::$Kind($Kind::from_settings(&mut it)?) ),* };
                (n == a.def().fields.len()).then_some(a)
            }
        }

        /// Each kind's saved state while it runs.
        #[derive(Clone, Debug)]
        enum Held { $( $Kind($Kind, Vec<<$Kind as Effect>::Saved>) ),* }

        impl Held {
            fn new(a: &LeverAction, places: usize) -> Held {
                match a { $( LeverAction::$Kind(k) => Held::$Kind(k.clone(), Vec::with_capacity(places)) ),* }
            }

            fn begin(&mut self, w: &mut dyn Sites, targets: &[usize]) {
                match self { $( Held::$Kind(k, s) => <<$Kind as Effect>::On as Place>::begin(k, w, targets, s) ),* }
            }

            fn end(&mut self, w: &mut dyn Sites, targets: &[usize]) {
                match self { $( Held::$Kind(_, s) => <<$Kind as Effect>::On as Place>::end::<$Kind>(w, targets, s) ),* }
            }
        }
    };
}

// To add a lever kind:
// 1. declare it in this table: doc comment, struct name, scenario name, chart
//    label, and its fields (doc comment, Rust type: f64 number, usize whole
//    number, bool switch, Vec<FundYear> years; and a `Spec` with range, unit
//    and default);
// 2. write its `impl Effect` below the table: `On = Governance` for a footprint
//    lever, `Policy` for a national one; a setting it needs that does not
//    exist yet goes into `Governance` or `Policy` above, with its value
//    before any lever;
//    If it sets a metric by construction, name it after the label
//    (`, sets [MetricVariant]`), so no finding reports it as the lever's effect;
// 3. read that setting in the phase it affects (and describe the lever in
//    docs/model.md; regenerate docs/levers.md with `stpsim levers --markdown`).
// Parsing, validation messages, sweeps, labels and docs follow from the table.
levers! {
    /// Sets the lead's authority, and if asked gives it decision rights and a formal appointment.
    StrengthenLeads "strengthen_leads", "leads strengthened" {
        /// the lead's authority A
        authority: f64 = Spec::range(0.0, 1.0).unit("authority"),
        /// the lead may decide for the footprint
        decision_rights: bool = Spec::switch(true),
        /// a formal appointment adds `formal_bonus` to the lead's legitimacy
        formal_appointment: bool = Spec::switch(false),
    }
    /// The decision rule becomes majority: no member has a veto.
    RemoveVeto "remove_veto", "veto removed" {}
    /// CCGs vote as one bloc.
    CommitteesInCommon "committees_in_common", "committees in common" {}
    /// Sets the conditionality c: the share of a provider's sustainability funding withheld when it put itself first last quarter, and how far transformation funding follows a footprint's collaboration.
    FundingConditionality "funding_conditionality", "funding conditionality", sets [SupportWithheldGbpM] {
        /// the conditionality c: the share withheld
        share: f64 = Spec::range(0.0, 1.0).unit("share"),
    }
    /// Sets the probability that national bodies intervene on an escalated proposal (iota).
    NationalIntervention "national_intervention", "national intervention" {
        /// probability an escalated proposal is unblocked
        probability: f64 = Spec::range(0.0, 1.0).unit("probability"),
    }
    /// Sets the councils' share of the seats on the footprint's board.
    IncludeLocalGovernment "include_local_government", "council seats" {
        /// councils' seats at the table
        council_seats: f64 = Spec::range(0.0, 1.0).unit("share"),
    }
    /// The lead becomes the footprint's largest council (if it has one).
    CouncilLead "council_lead", "council lead" {}
    /// Sets the hazard that an unsure organisation becomes clear each quarter (STP metrics published).
    AccountabilityClarity "accountability_clarity", "accountability clarity", sets [UnsureShare] {
        /// quarterly probability an unsure organisation becomes clear
        hazard: f64 = Spec::range(0.0, 1.0).unit("probability a quarter"),
    }
    /// Sets the pace the centre demands of the targeted footprints; pace beyond a footprint's readiness raises more proposals and more of them fail.
    ForcePace "force_pace", "pace forced" {
        /// pace of implementation
        pace: f64 = Spec::range(0.0, 2.0).unit("pace"),
    }
    /// Lets the targeted footprints become accountable care systems: one whose collaboration rate, averaged over `quarters`, reaches `threshold` becomes one; with `designate`, the national bodies make every targeted footprint one at the start.
    AccountableCare "accountable_care", "accountable care", sets [AcsCount] {
        /// averaged collaboration rate at which a footprint becomes an ACS
        threshold: f64 = Spec::range(0.0, 1.0).unit("rate").or_param("acs_threshold"),
        /// quarters the collaboration rate is averaged over
        quarters: usize = Spec::range(1.0, 40.0).unit("quarters").or_param("acs_quarters"),
        /// the national bodies designate every targeted footprint an ACS at the start, whatever its collaboration
        designate: bool = Spec::switch(false),
    }
    /// Replaces the fund's amounts and transformation shares by financial year.
    StfSchedule "stf_schedule", "fund schedule", sets [SupportPaidGbpM] {
        /// `{ year = "2016/17", total_gbp_bn = 2.1, transformation_share = 0.14 }` for each year replaced
        years: Vec<FundYear> = Spec::years(),
    }
    /// Collaborating members gain trust from working beside partners who also turn up (phase 9).
    JointWorking "joint_working", "joint working" {}
}

impl Effect for StrengthenLeads {
    type On = Governance;
    type Saved = (f64, bool, f64);
    fn begin(&self, g: &mut Governance, at: &Site) -> Self::Saved {
        let saved = (g.authority, g.decision_rights, g.formal_bonus);
        g.authority = self.authority;
        g.decision_rights = self.decision_rights;
        if self.formal_appointment {
            g.formal_bonus = at.p.formal_bonus;
        }
        saved
    }
    fn end((authority, decision_rights, formal_bonus): Self::Saved, g: &mut Governance) {
        (g.authority, g.decision_rights, g.formal_bonus) = (authority, decision_rights, formal_bonus);
    }
}

impl Effect for RemoveVeto {
    type On = Governance;
    type Saved = bool;
    fn begin(&self, g: &mut Governance, _: &Site) -> bool {
        std::mem::replace(&mut g.majority, true)
    }
    fn end(saved: bool, g: &mut Governance) {
        g.majority = saved;
    }
}

impl Effect for CommitteesInCommon {
    type On = Governance;
    type Saved = bool;
    fn begin(&self, g: &mut Governance, _: &Site) -> bool {
        std::mem::replace(&mut g.committees_in_common, true)
    }
    fn end(saved: bool, g: &mut Governance) {
        g.committees_in_common = saved;
    }
}

impl Effect for FundingConditionality {
    type On = Policy;
    type Saved = f64;
    fn begin(&self, n: &mut Policy, _: &Site) -> f64 {
        std::mem::replace(&mut n.conditionality, self.share)
    }
    fn end(saved: f64, n: &mut Policy) {
        n.conditionality = saved;
    }
}

impl Effect for NationalIntervention {
    type On = Policy;
    type Saved = f64;
    fn begin(&self, n: &mut Policy, _: &Site) -> f64 {
        std::mem::replace(&mut n.intervention, self.probability)
    }
    fn end(saved: f64, n: &mut Policy) {
        n.intervention = saved;
    }
}

impl Effect for IncludeLocalGovernment {
    type On = Governance;
    type Saved = f64;
    fn begin(&self, g: &mut Governance, _: &Site) -> f64 {
        std::mem::replace(&mut g.council_seats, self.council_seats)
    }
    fn end(saved: f64, g: &mut Governance) {
        g.council_seats = saved;
    }
}

impl Effect for CouncilLead {
    type On = Governance;
    type Saved = usize;
    fn begin(&self, g: &mut Governance, at: &Site) -> usize {
        let saved = g.lead;
        if let Some(c) = at.largest_council {
            g.lead = c;
        }
        saved
    }
    fn end(saved: usize, g: &mut Governance) {
        g.lead = saved;
    }
}

impl Effect for AccountabilityClarity {
    type On = Policy;
    type Saved = f64;
    fn begin(&self, n: &mut Policy, _: &Site) -> f64 {
        std::mem::replace(&mut n.clarity_hazard, self.hazard)
    }
    fn end(saved: f64, n: &mut Policy) {
        n.clarity_hazard = saved;
    }
}

impl Effect for ForcePace {
    type On = Governance;
    type Saved = f64;
    fn begin(&self, g: &mut Governance, _: &Site) -> f64 {
        std::mem::replace(&mut g.pace, self.pace)
    }
    fn end(saved: f64, g: &mut Governance) {
        g.pace = saved;
    }
}

impl Effect for AccountableCare {
    type On = Governance;
    type Saved = (bool, f64, usize, bool);
    fn begin(&self, g: &mut Governance, _: &Site) -> Self::Saved {
        let saved = (g.acs_enabled, g.acs_threshold, g.acs_quarters, g.acs_designated);
        (g.acs_enabled, g.acs_threshold, g.acs_quarters) = (true, self.threshold, self.quarters);
        g.acs_designated |= self.designate;
        saved
    }
    fn end((enabled, threshold, quarters, designated): Self::Saved, g: &mut Governance) {
        (g.acs_enabled, g.acs_threshold, g.acs_quarters, g.acs_designated) = (enabled, threshold, quarters, designated);
    }
}

impl Effect for JointWorking {
    type On = Governance;
    type Saved = bool;
    fn begin(&self, g: &mut Governance, _: &Site) -> bool {
        std::mem::replace(&mut g.joint_working, true)
    }
    fn end(saved: bool, g: &mut Governance) {
        g.joint_working = saved;
    }
}

impl Effect for StfSchedule {
    type On = Policy;
    type Saved = Vec<FundYear>;
    fn begin(&self, n: &mut Policy, _: &Site) -> Vec<FundYear> {
        std::mem::replace(&mut n.schedule, self.years.clone())
    }
    fn end(saved: Vec<FundYear>, n: &mut Policy) {
        n.schedule = saved;
    }
}

impl LeverDef {
    /// The kind named `name` in scenario files.
    pub fn find(name: &str) -> Option<(LeverKind, &'static LeverDef)> {
        LEVERS.iter().position(|d| d.name == name).map(|i| (LeverKind::ALL[i], &LEVERS[i]))
    }

    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The chart label of a lever kind named as in scenario files (the name itself if unknown).
pub fn label(name: &str) -> &str {
    LeverDef::find(name).map_or(name, |(_, d)| d.label)
}

impl LeverKind {
    pub fn def(self) -> &'static LeverDef {
        &LEVERS[self as usize]
    }
}

impl LeverAction {
    pub fn def(&self) -> &'static LeverDef {
        self.kind().def()
    }

    pub fn name(&self) -> &'static str {
        self.def().name
    }

    pub fn is_national(&self) -> bool {
        self.def().national
    }

    /// Sets a field from a sweep factor's number (a switch from 0 or 1, a
    /// whole number rounded); false if the field is not one a number can set.
    pub fn set(&mut self, field: &str, v: f64) -> bool {
        let def = self.def();
        let Some(i) = def.fields.iter().position(|f| f.name == field) else { return false };
        let mut s = self.settings();
        s[i] = match def.fields[i].form {
            Form::Number => Setting::Number(v),
            Form::Whole => Setting::Whole(v.round().max(0.0) as usize),
            Form::Switch => Setting::Switch(v >= 0.5),
            Form::Years => return false,
        };
        match LeverAction::from_settings(self.kind(), s) {
            Some(a) => {
                *self = a;
                true
            }
            None => false,
        }
    }
}

/// As scenario files write it: `kind` then the fields.
impl Serialize for LeverAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let def = self.def();
        let mut m = s.serialize_map(Some(1 + def.fields.len()))?;
        m.serialize_entry("kind", def.name)?;
        for (f, v) in def.fields.iter().zip(self.settings()) {
            m.serialize_entry(f.name, &v)?;
        }
        m.end()
    }
}

/// Which footprints a lever acts on (read back from a manifest too).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Targets {
    /// A national lever.
    National,
    All,
    /// Footprint indices in the structure.
    Named(Vec<usize>),
    MostReady(usize),
    LeastReady(usize),
}

/// A lever in a scenario: what it does, when, and where.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lever {
    #[serde(flatten)]
    pub action: LeverAction,
    pub start: Quarter,
    /// First quarter without the lever; the setting returns to its earlier value then.
    pub end: Option<Quarter>,
    pub footprints: Targets,
}

/// A scenario's lever in one replicate: its footprints (readiness is drawn
/// per replicate) and, while it runs, what its start saved.
#[derive(Clone, Debug)]
pub struct Running {
    targets: Vec<usize>,
    active: bool,
    held: Held,
}

impl Running {
    pub fn new(l: &Lever, readiness: &[f64]) -> Running {
        let targets = targets(&l.footprints, readiness);
        let held = Held::new(&l.action, targets.len().max(1));
        Running { targets, active: false, held }
    }

    pub fn targets(&self) -> &[usize] {
        &self.targets
    }
}

/// Resolves a lever's footprints for this replicate (readiness is drawn per replicate).
pub fn targets(t: &Targets, readiness: &[f64]) -> Vec<usize> {
    let n = readiness.len();
    let mut by_ready: Vec<usize> = (0..n).collect();
    by_ready.sort_by(|&a, &b| readiness[b].total_cmp(&readiness[a]).then(a.cmp(&b)));
    match t {
        Targets::National => Vec::new(),
        Targets::All => (0..n).collect(),
        Targets::Named(v) => v.iter().copied().filter(|&f| f < n).collect(),
        Targets::MostReady(k) => by_ready.into_iter().take(*k).collect(),
        Targets::LeastReady(k) => by_ready.into_iter().rev().take(*k).collect(),
    }
}

/// Phase 1: ends first, then starts, each lever in scenario order.
pub fn apply(w: &mut dyn Sites, levers: &[Lever], running: &mut [Running], q: Quarter) {
    for (lever, rt) in levers.iter().zip(running.iter_mut()) {
        if lever.end == Some(q) && rt.active {
            rt.active = false;
            rt.held.end(w, &rt.targets);
        }
    }
    for (lever, rt) in levers.iter().zip(running.iter_mut()) {
        if lever.start == q && lever.end.is_none_or(|e| e > q) {
            rt.active = true;
            rt.held.begin(w, &rt.targets);
        }
    }
}

/// The lever table as Markdown (docs/levers.md).
pub fn markdown() -> String {
    let mut s = String::from(
        "# Levers\n\nGenerated from the lever table in `src/model/levers.rs` by `stpsim levers --markdown`; \
         a test keeps it current. Every lever takes `kind`, `start` (a quarter) and an optional `end` \
         (the first quarter without it, when its settings return to what they were); a footprint lever \
         also takes `footprints` (\"all\" by default, a list of names, `{ most_ready = N }` or \
         `{ least_ready = N }`). A sweep factor sets a field as `lever.KIND.FIELD` (a switch as 0 or 1) \
         or the start as `lever.KIND.start`, in quarters after the run's start.\n",
    );
    for d in &LEVERS {
        let acts = if d.national { "nationally" } else { "on footprints" };
        s += &format!("\n## `{}`\n\n{} Acts {acts}; charts call it \"{}\".\n", d.name, d.doc.trim(), d.label);
        if d.fields.is_empty() {
            s += "\nNo fields.\n";
            continue;
        }
        s += "\n| field | form | unit | range | default | meaning |\n|---|---|---|---|---|---|\n";
        for f in d.fields {
            s += &format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                f.name,
                f.form.name(),
                f.spec.unit,
                range_text(f),
                default_text(f),
                f.doc.trim()
            );
        }
    }
    s
}

/// A field's allowed values, as messages and docs write them.
pub fn range_text(f: &Field) -> String {
    match f.form {
        Form::Number | Form::Whole => format!("{} to {}", f.spec.min, f.spec.max),
        Form::Switch => "true or false".to_string(),
        Form::Years => "years from 2016/17".to_string(),
    }
}

pub fn default_text(f: &Field) -> String {
    match f.spec.default {
        Default::Required => "required".to_string(),
        Default::Number(x) => x.to_string(),
        Default::Switch(b) => b.to_string(),
        Default::Param(p) => format!("parameter `{p}`"),
    }
}

/// The table as `stpsim levers` prints it: each kind, then its fields.
pub fn table() -> String {
    let mut s = String::new();
    for d in &LEVERS {
        let acts = if d.national { "national" } else { "footprints" };
        s += &format!("{:<26} {:<10} {}\n", d.name, acts, d.doc.trim());
        for f in d.fields {
            s += &format!(
                "    {:<22} {:<13} {:<24} default {:<26} {}\n",
                f.name,
                f.form.name(),
                range_text(f),
                default_text(f),
                f.doc.trim()
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_name_has_one_form_across_kinds() {
        // The raw layer reads a field by its name before it knows the kind.
        for a in LEVERS.iter().flat_map(|d| d.fields) {
            for b in LEVERS.iter().flat_map(|d| d.fields) {
                if a.name == b.name {
                    assert_eq!(a.form, b.form, "{}", a.name);
                }
            }
        }
        for d in &LEVERS {
            for f in d.fields {
                assert!(!["kind", "start", "end", "footprints"].contains(&f.name), "{} is reserved", f.name);
                if let Default::Param(p) = f.spec.default {
                    assert!(Params::def(p).is_some(), "{p} is not a parameter");
                }
            }
        }
    }

    #[test]
    fn settings_round_trip_and_set_reaches_every_numeric_field() {
        let a = LeverAction::AccountableCare(AccountableCare { threshold: 0.5, quarters: 4, designate: false });
        assert_eq!(LeverAction::from_settings(a.kind(), a.settings()), Some(a.clone()));
        assert_eq!(LeverAction::from_settings(a.kind(), vec![Setting::Number(0.5)]), None);
        let mut b = a.clone();
        assert!(b.set("quarters", 6.4));
        assert!(b.set("threshold", 0.7));
        assert_eq!(b, LeverAction::AccountableCare(AccountableCare { threshold: 0.7, quarters: 6, designate: false }));
        assert!(!b.set("share", 0.1));
        let mut s = LeverAction::StrengthenLeads(StrengthenLeads {
            authority: 0.5,
            decision_rights: true,
            formal_appointment: false,
        });
        assert!(s.set("formal_appointment", 1.0) && s.set("decision_rights", 0.0));
        assert_eq!(
            s,
            LeverAction::StrengthenLeads(StrengthenLeads {
                authority: 0.5,
                decision_rights: false,
                formal_appointment: true
            })
        );
    }

    #[test]
    fn serialises_as_scenario_files_write_it() {
        let a = LeverAction::AccountableCare(AccountableCare { threshold: 0.5, quarters: 4, designate: false });
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"kind":"accountable_care","threshold":0.5,"quarters":4,"designate":false}"#
        );
        assert_eq!(
            serde_json::to_string(&LeverAction::RemoveVeto(RemoveVeto {})).unwrap(),
            r#"{"kind":"remove_veto"}"#
        );
    }

    #[test]
    fn what_a_lever_sets_by_construction_is_declared_in_the_table() {
        use crate::model::Metric;
        let sets = |name: &str| LeverDef::find(name).unwrap().1.sets;
        assert_eq!(sets("accountable_care"), [Metric::AcsCount], "an ACS exists only where the lever allows one");
        assert_eq!(sets("funding_conditionality"), [Metric::SupportWithheldGbpM]);
        assert!(sets("strengthen_leads").is_empty() && sets("joint_working").is_empty());
        // No lever sets a lead metric: those are the outcomes every comparison reports.
        assert!(LEVERS.iter().all(|d| d.sets.iter().all(|m| !Metric::lead().contains(m))));
    }

    #[test]
    fn labels_come_from_the_table() {
        assert_eq!(label("remove_veto"), "veto removed");
        assert_eq!(label("no_such"), "no_such");
        assert!(LEVERS.iter().all(|d| !d.label.is_empty() && !d.doc.trim().is_empty()));
    }

    #[test]
    fn accountable_care_defaults_follow_the_scenario_params() {
        let t = "name = \"x\"\n[params]\nacs_threshold = 0.7\nacs_quarters = 6\n[[levers]]\nkind = \"accountable_care\"\nstart = \"2017Q1\"\n[[levers]]\nkind = \"accountable_care\"\nstart = \"2018Q1\"\nfootprints = [\"Devon\"]\nthreshold = 0.5\n";
        let s = crate::scenario::load_text(t, "t.toml", None).unwrap_err().to_string();
        assert!(s.contains("already sets"), "the two overlap on Devon: {s}");
        let t = t.replace("start = \"2018Q1\"", "start = \"2018Q1\"\nend = \"2019Q1\"").replace(
            "kind = \"accountable_care\"\nstart = \"2017Q1\"",
            "kind = \"accountable_care\"\nstart = \"2019Q1\"",
        );
        let s = crate::scenario::load_text(&t, "t.toml", None).unwrap();
        assert_eq!(
            s.levers[0].action,
            LeverAction::AccountableCare(AccountableCare { threshold: 0.7, quarters: 6, designate: false })
        );
        assert_eq!(
            s.levers[1].action,
            LeverAction::AccountableCare(AccountableCare { threshold: 0.5, quarters: 6, designate: false })
        );
    }
}
