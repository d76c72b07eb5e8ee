//! Work budgets for one chain verification (the defence rustls-webpki adopted after
//! RUSTSEC-2023-0053: path building over hostile pools is otherwise exponential).

use crate::error::ChainError;
use crate::limits::Limits;

/// Counters that each fail with a distinct error once their `Limits` bound is spent.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    signatures: usize,
    build_steps: usize,
    name_comparisons: usize,
    max_signatures: usize,
    max_build_steps: usize,
    max_name_comparisons: usize,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        Budget {
            signatures: 0,
            build_steps: 0,
            name_comparisons: 0,
            max_signatures: limits.max_signature_checks,
            max_build_steps: limits.max_path_build_steps,
            max_name_comparisons: limits.max_name_constraint_comparisons,
        }
    }

    /// Spends one signature verification.
    pub(crate) fn signature(&mut self) -> Result<(), ChainError> {
        if self.signatures >= self.max_signatures {
            return Err(ChainError::SignatureBudgetExceeded(self.max_signatures));
        }
        self.signatures += 1;
        Ok(())
    }

    /// Spends one path-building step (one candidate issuer considered).
    pub(crate) fn build_step(&mut self) -> Result<(), ChainError> {
        if self.build_steps >= self.max_build_steps {
            return Err(ChainError::BuildBudgetExceeded(self.max_build_steps));
        }
        self.build_steps += 1;
        Ok(())
    }

    /// What has been spent so far.
    pub(crate) fn spent(&self) -> Spent {
        Spent {
            signatures: self.signatures,
            build_steps: self.build_steps,
            name_comparisons: self.name_comparisons,
        }
    }

    /// Spends `cost` at once: what a search would have spent that an issuer-cache hit skips,
    /// so that a hit runs out of a budget exactly when the search would have.
    pub(crate) fn charge(&mut self, cost: Spent) -> Result<(), ChainError> {
        let over = |spent: usize, more: usize, max: usize| spent.saturating_add(more) > max;
        if over(self.build_steps, cost.build_steps, self.max_build_steps) {
            return Err(ChainError::BuildBudgetExceeded(self.max_build_steps));
        }
        if over(
            self.name_comparisons,
            cost.name_comparisons,
            self.max_name_comparisons,
        ) {
            return Err(ChainError::NameConstraintBudgetExceeded(
                self.max_name_comparisons,
            ));
        }
        if over(self.signatures, cost.signatures, self.max_signatures) {
            return Err(ChainError::SignatureBudgetExceeded(self.max_signatures));
        }
        self.build_steps += cost.build_steps;
        self.name_comparisons += cost.name_comparisons;
        self.signatures += cost.signatures;
        Ok(())
    }

    /// Spends one name-constraint comparison.
    pub(crate) fn name_comparison(&mut self) -> Result<(), ChainError> {
        if self.name_comparisons >= self.max_name_comparisons {
            return Err(ChainError::NameConstraintBudgetExceeded(
                self.max_name_comparisons,
            ));
        }
        self.name_comparisons += 1;
        Ok(())
    }
}

/// Amounts of each budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Spent {
    signatures: usize,
    build_steps: usize,
    name_comparisons: usize,
}

impl Spent {
    /// `self` less `other`, each amount floored at zero.
    pub(crate) fn minus(self, other: Spent) -> Spent {
        Spent {
            signatures: self.signatures.saturating_sub(other.signatures),
            build_steps: self.build_steps.saturating_sub(other.build_steps),
            name_comparisons: self.name_comparisons.saturating_sub(other.name_comparisons),
        }
    }
}
