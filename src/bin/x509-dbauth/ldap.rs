//! `x509-dbauth ldap test`: the operator's `mongoldap`. Against the directory the settings
//! name, shows for one subject (given as a DN or by a certificate chain) the mapping rule that
//! matched, the LDAP DN, the exact query sent, the groups returned, the roles granted, and
//! how long each directory step took.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use x509_dbauth::{
    DistinguishedName, Escaped, Limits, SettingsFile,
    directory::{Directory, LdapDirectory, UserToDnMapping},
    errors::LdapError,
    settings::FileKind,
    x509::Certificate,
};

use crate::{EXIT_NO, EXIT_OK, FilePath, Output, bad_input, print_json, read_input};

/// Arguments of `ldap test`.
#[derive(clap::Args)]
pub(crate) struct TestArgs {
    /// The settings file (TOML) naming the directory, mapping rules, query template and groups.
    #[arg(long, value_name = "TOML")]
    config: FilePath,
    /// The subject to test, as a DN (instead of a chain).
    #[arg(long, value_name = "DN", conflicts_with = "chain")]
    subject: Option<String>,
    /// A client chain (PEM bundle or DER); its leaf's subject is tested.
    #[arg(required_unless_present = "subject")]
    chain: Option<FilePath>,
    #[command(flatten)]
    out: Output,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The subject DN from `--subject` or the chain's leaf.
fn subject(args: &TestArgs) -> Result<DistinguishedName, (String, String)> {
    if let Some(s) = &args.subject {
        return DistinguishedName::parse(s).map_err(|e| (e.kind().to_owned(), e.to_string()));
    }
    let Some(path) = &args.chain else {
        return Err(("usage".to_owned(), "give a chain or --subject".to_owned()));
    };
    let bytes = read_input(path, FileKind::Certificates)
        .map_err(|e| (e.kind().to_owned(), e.to_string()))?;
    let certs = Certificate::ders_from_pem_or_der(&bytes).map_err(|e| {
        (
            e.kind().to_owned(),
            format!("{}: {e}", Escaped(path.display())),
        )
    })?;
    let Some(leaf) = certs.first() else {
        return Err((
            "no_certificate".to_owned(),
            "the chain holds no certificate".to_owned(),
        ));
    };
    let cert = Certificate::from_der(leaf, &Limits::DEFAULT)
        .map_err(|e| (e.kind().to_owned(), e.to_string()))?;
    DistinguishedName::from_der(cert.subject_der())
        .map_err(|e| (e.kind().to_owned(), e.to_string()))
}

/// Runs `ldap test`: exit 0 when the subject gets roles, 1 when not (or the directory
/// fails), 2 bad input.
pub(crate) fn test(args: &TestArgs) -> u8 {
    let file = match SettingsFile::load(&args.config) {
        Ok(f) => f,
        Err(e) => return bad_input(args.out, e.kind, &e.to_string()),
    };
    let dn = match subject(args) {
        Ok(dn) => dn,
        Err((kind, message)) => return bad_input(args.out, &kind, &message),
    };
    let directory: Arc<dyn Directory> = match (&file.ldap_client, &file.directory) {
        (Some(c), _) => match LdapDirectory::new(c.clone()) {
            Ok(d) => Arc::new(d),
            Err(e) => return bad_input(args.out, e.kind(), &e.to_string()),
        },
        (None, Some(d)) => Arc::clone(d) as Arc<dyn Directory>,
        (None, None) => {
            return bad_input(
                args.out,
                "no_directory",
                "the settings name no directory (`[ldap] directory`)",
            );
        }
    };
    // The directory's futures run on a current-thread runtime of the tool's own (a live
    // directory runs its connections on its own runtime either way).
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => return bad_input(args.out, "io", &format!("cannot start a runtime: {e}")),
    };
    let report = run(&file, &dn, &*directory, &runtime);
    let ok = report["roles"].as_array().is_some_and(|r| !r.is_empty());
    if args.out.json {
        print_json(&report);
    } else {
        print_text(&report);
    }
    if ok { EXIT_OK } else { EXIT_NO }
}

fn run(
    file: &SettingsFile,
    dn: &DistinguishedName,
    directory: &dyn Directory,
    runtime: &tokio::runtime::Runtime,
) -> Value {
    let s = &file.settings;
    let input = dn.server_username();
    let mut report = json!({
        "subject": input,
        "directory": match &file.ldap_client {
            Some(c) => c.servers().iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            None => "ldif snapshot (in memory)".to_owned(),
        },
        "roles": [],
    });
    let fail = |mut report: Value, kind: &str, message: String| {
        report["error"] = json!({ "kind": kind, "message": message });
        report
    };
    if dn.has_control_characters() {
        return fail(
            report,
            "control_character_in_subject",
            "the subject holds a control character; it matches nothing".to_owned(),
        );
    }
    // The mapping, one rule at a time, to name the rule that matched.
    let started = Instant::now();
    let rules = s.user_to_dn_mapping().rules();
    let cn = dn.common_name();
    let mut failures = Vec::new();
    let mut matched = None;
    for (i, rule) in rules.iter().enumerate() {
        let one = UserToDnMapping::new(vec![rule.clone()]);
        match runtime.block_on(one.map(&input, cn.as_deref(), directory)) {
            Ok(ldap_dn) => {
                matched = Some((i, rule.to_string(), ldap_dn));
                break;
            }
            Err(LdapError::NoMapping { failures: f, .. }) => failures.extend(
                f.into_iter()
                    .map(|r| json!({ "rule": i + 1, "reason": Escaped(&r.reason).to_string() })),
            ),
            Err(e) => {
                report["timings_ms"] = json!({ "mapping": ms(started) });
                return fail(report, e.kind(), e.to_string());
            }
        }
    }
    report["timings_ms"] = json!({ "mapping": ms(started) });
    report["mapping"] = json!({
        "rule": matched.as_ref().map(|(i, _, _)| i + 1),
        "text": matched.as_ref().map(|(_, t, _)| t.clone()),
        "failures": failures,
    });
    let ldap_dn = match (rules.is_empty(), matched) {
        (true, _) => input.clone(),
        (false, Some((_, _, dn))) => dn,
        (false, None) => {
            return fail(
                report,
                "no_mapping",
                format!("no mapping rule maps `{}` to an LDAP DN", Escaped(&input)),
            );
        }
    };
    report["ldap_dn"] = json!(ldap_dn);
    let query = match s.query_template().render(&ldap_dn, &input) {
        Ok(q) => q,
        Err(e) => return fail(report, e.kind(), e.to_string()),
    };
    report["query"] = json!(query.to_string());
    let started = Instant::now();
    let entries = runtime.block_on(directory.search(&query));
    report["timings_ms"]["query"] = json!(ms(started));
    let groups = match entries
        .map_err(LdapError::from)
        .and_then(|e| query.groups_from_entries(e, s.limits()))
    {
        Ok(g) => g,
        Err(e) => return fail(report, e.kind(), e.to_string()),
    };
    let mut matched_groups = Vec::new();
    let mut roles: Vec<String> = Vec::new();
    for g in &groups {
        let Ok(gdn) = DistinguishedName::parse(g) else {
            continue;
        };
        if gdn.has_control_characters() {
            continue;
        }
        for configured in s.ldap_groups() {
            let same = DistinguishedName::parse(configured.dn()).is_ok_and(|c| c.matches(&gdn));
            if same {
                matched_groups.push(configured.dn().to_owned());
                for r in configured.roles() {
                    let r = r.to_string();
                    if !roles.contains(&r) {
                        roles.push(r);
                    }
                }
            }
        }
    }
    report["groups"] = json!(groups);
    report["matched_groups"] = json!(matched_groups);
    report["roles"] = json!(roles);
    if roles.is_empty() {
        return fail(
            report,
            "not_authorized_by_ldap",
            format!(
                "the LDAP user `{}` is in no group configured for database access",
                Escaped(&ldap_dn)
            ),
        );
    }
    report
}

fn print_text(r: &Value) {
    let e = |v: &Value| Escaped(v.as_str().unwrap_or_default()).to_string();
    println!("subject:   {}", e(&r["subject"]));
    println!("directory: {}", e(&r["directory"]));
    if let Some(rule) = r["mapping"]["rule"].as_u64() {
        println!("mapping:   rule {rule}: {}", e(&r["mapping"]["text"]));
    } else if r["mapping"].is_object() {
        println!("mapping:   no rules: the subject is the LDAP DN");
    }
    if let Some(failures) = r["mapping"]["failures"].as_array() {
        for f in failures {
            println!(
                "           rule {} did not apply: {}",
                f["rule"],
                f["reason"].as_str().unwrap_or_default()
            );
        }
    }
    if !r["ldap_dn"].is_null() {
        println!("ldap dn:   {}", e(&r["ldap_dn"]));
    }
    if !r["query"].is_null() {
        println!("query:     {}", e(&r["query"]));
    }
    if let Some(groups) = r["groups"].as_array() {
        println!("groups:    {}", list(groups));
    }
    if let Some(groups) = r["matched_groups"].as_array() {
        println!("matched:   {}", list(groups));
    }
    if let Some(roles) = r["roles"].as_array() {
        println!("roles:     {}", list(roles));
    }
    let t = &r["timings_ms"];
    if let Some(m) = t["mapping"].as_f64() {
        match t["query"].as_f64() {
            Some(q) => println!("timings:   mapping {m:.3} ms, query {q:.3} ms"),
            None => println!("timings:   mapping {m:.3} ms"),
        }
    }
    if !r["error"].is_null() {
        println!(
            "denied:    {}: {}",
            r["error"]["kind"].as_str().unwrap_or_default(),
            r["error"]["message"].as_str().unwrap_or_default()
        );
    }
}

fn list(items: &[Value]) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    items
        .iter()
        .map(|v| format!("\"{}\"", Escaped(v.as_str().unwrap_or_default())))
        .collect::<Vec<_>>()
        .join(", ")
}
