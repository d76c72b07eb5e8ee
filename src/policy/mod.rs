//! The policy engine: the settings snapshot and its builder, the [`Authenticator`] (phase 2,
//! decision rules 4–7), the [`Principal`] it produces, `explain`, and the LDAP answer cache.

mod cache;
mod engine;
mod exec;
mod memo;
mod settings;

pub use cache::{Clock, ManualClock, SystemClock};
pub use engine::{Authenticator, Decision, Principal};
pub use exec::block_on;
pub use settings::{
    LdapCacheConfig, LdapGroup, LdapGroupSpec, Settings, SettingsBuilder, SettingsWarning,
};
