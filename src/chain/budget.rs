//! Work budgets for one chain verification (the defence rustls-webpki adopted after
//! RUSTSEC-2023-0053: path building over hostile pools is otherwise exponential).

use crate::error::ChainError;
use crate::limits::Limits;

/// Counters that each fail with a distinct error once their `Limits` bound is spent.
#[derive(Debug)]
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
