//! `x509-dbauth config check`: is this settings file valid, and what should the operator know.

use serde_json::{Value, json};
use x509_dbauth::{Escaped, SettingsFile};

use crate::verify::validation_time;
use crate::{EXIT_BAD_INPUT, EXIT_OK, FilePath, Output, print_json};

/// Arguments of `config check`.
#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// The settings file (TOML).
    config: FilePath,
    /// The time CA expiry warnings are computed for (RFC 3339 with Z or ±hh:mm, 1970–9999); default: now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    #[command(flatten)]
    out: Output,
}

/// Runs `config check`: exit 0 valid (warnings allowed), 2 invalid.
pub(crate) fn check(args: &CheckArgs) -> u8 {
    let now = match validation_time(args.at.as_deref()) {
        Ok(t) => t,
        Err(msg) => return crate::bad_input(args.out, "bad_time", &msg),
    };
    let file = match SettingsFile::load(&args.config) {
        Ok(f) => f,
        Err(e) => {
            if args.out.json {
                print_json(&json!({
                    "valid": false,
                    "error": {
                        "kind": e.kind,
                        "file": e.file,
                        "line": e.line,
                        "key": e.key,
                        "message": e.message,
                    },
                }));
            } else {
                eprintln!("x509-dbauth: {e}");
            }
            return EXIT_BAD_INPUT;
        }
    };
    let s = &file.settings;
    let warnings: Vec<Value> = s
        .warnings(now)
        .iter()
        .map(|w| json!({ "code": w.code, "message": w.message }))
        .collect();
    let summary = json!({
        "managed": {
            "cas": s.managed_anchors().iter().map(|a| a.subject.to_owned()).collect::<Vec<_>>(),
        },
        "self_managed": {
            "enabled": s.self_managed_enabled(),
            "cas": s.self_managed_anchors().iter().map(|a| a.subject.to_owned()).collect::<Vec<_>>(),
        },
        "name_matching": s.name_matching().as_str(),
        "users": s.users().iter().map(|u| json!({
            "name": u.name(),
            "x509": u.kind().as_str(),
            "roles": u.roles().iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "custom_roles": s.roles().custom_role_count(),
        "ldap": {
            "authorization": s.ldap_authorization(),
            "query_template": s.query_template().as_str(),
            "mapping_rules": s.user_to_dn_mapping().rules().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "groups": s.ldap_groups().iter().map(|g| json!({
                "dn": g.dn(),
                "roles": g.roles().iter().map(ToString::to_string).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "directory": match (&file.ldap_client, &file.directory) {
                (Some(c), _) => Some(format!(
                    "live: {}",
                    c.servers().iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                )),
                (None, Some(d)) => Some(format!("in-memory, {} entries", d.len())),
                (None, None) => None,
            },
        },
    });
    if args.out.json {
        print_json(&json!({ "valid": true, "summary": summary, "warnings": warnings }));
    } else {
        println!("{}: valid", Escaped(args.config.display()));
        println!(
            "  {} user(s), {} custom role(s), self-managed X.509 {}, LDAP authorization {}",
            s.users().len(),
            s.roles().custom_role_count(),
            if s.self_managed_enabled() {
                "enabled"
            } else {
                "disabled"
            },
            if s.ldap_authorization() { "on" } else { "off" },
        );
        for w in s.warnings(now) {
            println!("{w}");
        }
    }
    EXIT_OK
}
