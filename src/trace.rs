//! The decision trace: each step of a decision with its outcome, recorded only when asked for.
//!
//! `authenticate` and `explain` run the same engine; the engine records into a [`Trace`] that
//! is off for `authenticate`, so the details (formatted strings) are never built there.

use core::fmt;

/// How one step of a decision ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The step's condition held; the decision went on.
    Pass,
    /// The step refused the client (or could not decide); the decision stopped here.
    Fail,
    /// The step did not apply (e.g. no claimed user, LDAP authorization off).
    Skip,
}

impl Outcome {
    /// `"pass"`, `"fail"` or `"skip"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a decision: which rule, how it ended, and its inputs and result as a sentence.
///
/// ```
/// use x509_dbauth::{Authenticator, Outcome, Settings, TrustAnchors, UnixTime, x509::Certificate};
///
/// let pki = |f: &str| std::fs::read(format!("{}/examples/pki/{f}", env!("CARGO_MANIFEST_DIR")));
/// let settings = Settings::builder()
///     .enable_self_managed(TrustAnchors::from_pem(&pki("project-root-ca.pem")?)?)
///     .build()?;
/// let auth = Authenticator::new(settings.into_arc());
/// let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_798_761_600));
/// let chain = Certificate::ders_from_pem_or_der(&pki("john-chain.pem")?)?;
/// let decision = auth.explain_blocking(&chain, at, None);
/// let last = decision.steps().last().expect("a step decided");
/// assert_eq!((last.step, last.outcome), ("user", Outcome::Fail));
/// assert_eq!(decision.error().map(|e| e.kind()), Some("unknown_user"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The step's stable name, e.g. `"chain"`, `"claimed_user"`, `"ldap_groups"`.
    pub step: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// Inputs and result, for people: every certificate or settings value in it is escaped
    /// with [`Escaped`](crate::Escaped), so the detail is one line that no value can forge.
    pub detail: String,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.outcome, self.step, self.detail)
    }
}

/// Where the engine records steps; a no-op unless created with [`Trace::on`].
#[derive(Debug, Default)]
pub(crate) struct Trace {
    steps: Option<Vec<Step>>,
}

impl Trace {
    /// A trace that records nothing.
    pub(crate) fn off() -> Trace {
        Trace { steps: None }
    }

    /// A trace that records every step.
    pub(crate) fn on() -> Trace {
        Trace {
            steps: Some(Vec::new()),
        }
    }

    /// Records a step; `detail` is only called when the trace is on.
    #[inline]
    pub(crate) fn record(
        &mut self,
        step: &'static str,
        outcome: Outcome,
        detail: impl FnOnce() -> String,
    ) {
        if let Some(steps) = &mut self.steps {
            steps.push(Step {
                step,
                outcome,
                detail: detail(),
            });
        }
    }

    /// The recorded steps (empty when off).
    pub(crate) fn into_steps(self) -> Vec<Step> {
        self.steps.unwrap_or_default()
    }
}
