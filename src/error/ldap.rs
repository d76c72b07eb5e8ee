//! Errors of the `ldap` module: configuration (mapping rules, query templates), directory
//! access, search filters, LDIF, and the runtime mapping / authorization outcome.

use core::fmt;

use super::ReadFileError;
use crate::display::Escaped;

/// A mapping rule or query template refused when it is configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdapConfigError {
    /// The `match` regular expression does not compile.
    #[error(
        "mapping rule regex `{pattern}` does not compile: {reason}",
        pattern = Escaped(pattern),
        reason = Escaped(reason)
    )]
    InvalidRegex {
        /// The regex as given.
        pattern: String,
        /// The compiler's message.
        reason: String,
    },
    /// A `{…}` token in an `ldapQuery` rule that is not a number.
    #[error(
        "ldapQuery `{template}`: expected a numeric token like `{{0}}`, found `{{{token}}}`",
        template = Escaped(template),
        token = Escaped(token)
    )]
    NonNumericToken {
        /// The template.
        template: String,
        /// The token's text, without braces.
        token: String,
    },
    /// An `ldapQuery` token naming a capture group the regex does not have.
    #[error(
        "ldapQuery `{template}`: token `{{{index}}}` refers to a capture group the regex does not have (it has {groups})",
        template = Escaped(template)
    )]
    TokenOutOfRange {
        /// The template.
        template: String,
        /// The token's number.
        index: usize,
        /// How many capture groups the regex has.
        groups: usize,
    },
    /// An `ldapQuery` rule that does not use one of its regex's capture groups.
    #[error(
        "ldapQuery `{template}`: every capture group must be used, `{{{index}}}` is missing",
        template = Escaped(template)
    )]
    UnusedCaptureGroup {
        /// The template.
        template: String,
        /// The unused group's number.
        index: usize,
    },
    /// An RFC 4516 URL template with more parts than `dn?attributes?scope?filter?extensions`.
    #[error("template `{template}`: {reason}", template = Escaped(template))]
    MalformedUrl {
        /// The template.
        template: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A query-template token other than `{USER}` / `{PROVIDED_USER}`.
    #[error(
        "query template `{template}`: expected `{{USER}}` or `{{PROVIDED_USER}}`, found `{{{token}}}`",
        template = Escaped(template),
        token = Escaped(token)
    )]
    UnknownToken {
        /// The template.
        template: String,
        /// The token's text, without braces.
        token: String,
    },
    /// A `{` without its `}`, or `{}`.
    #[error("template `{template}`: {reason}", template = Escaped(template))]
    MalformedToken {
        /// The template.
        template: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An authorization query template without `{USER}`.
    #[error(
        "query template `{template}` does not contain `{{USER}}`, so every user would get the same groups",
        template = Escaped(template)
    )]
    MissingUserToken {
        /// The template.
        template: String,
    },
    /// A `%` escape that is not two hex digits, or that decodes to invalid UTF-8.
    #[error(
        "template `{template}`: failed to percent-decode `{part}`",
        template = Escaped(template),
        part = Escaped(part)
    )]
    PercentDecode {
        /// The template.
        template: String,
        /// The part that failed.
        part: String,
    },
    /// A scope other than `base`, `one`, `sub`.
    #[error(
        "template `{template}`: unrecognized query scope `{scope}` (expected base, one or sub)",
        template = Escaped(template),
        scope = Escaped(scope)
    )]
    UnknownScope {
        /// The template.
        template: String,
        /// The scope as given.
        scope: String,
    },
    /// A token in the attributes or scope part.
    #[error(
        "template `{template}`: tokens are allowed only in the base DN and the filter",
        template = Escaped(template)
    )]
    TokenNotAllowed {
        /// The template.
        template: String,
    },
    /// The filter part is not a valid RFC 4515 filter.
    #[error("template `{template}`: invalid filter: {source}", template = Escaped(template))]
    InvalidFilter {
        /// The template.
        template: String,
        /// The filter error.
        #[source]
        source: FilterError,
    },
    /// An LDAP server URL that is not `ldap://host[:port]` or `ldaps://host[:port]`.
    #[error("LDAP server URL `{url}`: {reason}", url = Escaped(url))]
    InvalidServerUrl {
        /// The URL as given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// MongoDB's `security.ldap.userToDNMapping` JSON text that could not be read.
    #[error("userToDNMapping JSON at byte {offset}: {reason}")]
    MappingJson {
        /// Byte offset in the JSON text.
        offset: usize,
        /// What was expected or is wrong.
        reason: String,
    },
    /// A live directory configured with no server URL.
    #[error("no LDAP server URL is configured")]
    NoServers,
    /// The CA file for the directory's certificate could not be read or holds no usable
    /// certificate.
    #[error("LDAP CA file `{path}`: {reason}", path = Escaped(path))]
    CaFile {
        /// The path as given.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The bind password could not be read (the variable or file is named, its content never).
    #[error("bind password from {source_name}: {reason}", source_name = Escaped(source_name), reason = Escaped(reason))]
    BindPassword {
        /// Where it was to come from: "environment variable `X`" or "file `p`".
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// A setting of the live directory out of range (pool size 0, a zero timeout, …).
    #[error("{setting}: {reason}")]
    ClientSetting {
        /// The setting.
        setting: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The background runtime that drives the directory connections could not be started.
    #[error("could not start the LDAP client's runtime thread: {reason}", reason = Escaped(reason))]
    ClientRuntime {
        /// The operating system's error.
        reason: String,
    },
    /// The base DN part is not a valid DN string.
    #[error("template `{template}`: invalid base DN: {reason}", template = Escaped(template))]
    InvalidBaseDn {
        /// The template.
        template: String,
        /// What is wrong.
        reason: String,
    },
}

impl LdapConfigError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            LdapConfigError::InvalidRegex { .. } => "invalid_regex",
            LdapConfigError::NonNumericToken { .. } => "non_numeric_token",
            LdapConfigError::TokenOutOfRange { .. } => "token_out_of_range",
            LdapConfigError::UnusedCaptureGroup { .. } => "unused_capture_group",
            LdapConfigError::MalformedUrl { .. } => "malformed_url",
            LdapConfigError::UnknownToken { .. } => "unknown_token",
            LdapConfigError::MalformedToken { .. } => "malformed_token",
            LdapConfigError::MissingUserToken { .. } => "missing_user_token",
            LdapConfigError::PercentDecode { .. } => "percent_decode",
            LdapConfigError::UnknownScope { .. } => "unknown_scope",
            LdapConfigError::TokenNotAllowed { .. } => "token_not_allowed",
            LdapConfigError::InvalidFilter { .. } => "invalid_filter",
            LdapConfigError::InvalidBaseDn { .. } => "invalid_base_dn",
            LdapConfigError::InvalidServerUrl { .. } => "invalid_server_url",
            LdapConfigError::MappingJson { .. } => "mapping_json",
            LdapConfigError::NoServers => "no_servers",
            LdapConfigError::CaFile { .. } => "ca_file",
            LdapConfigError::BindPassword { .. } => "bind_password",
            LdapConfigError::ClientSetting { .. } => "client_setting",
            LdapConfigError::ClientRuntime { .. } => "client_runtime",
        }
    }
}

/// Why one mapping rule did not produce a DN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    /// The rule's position, counted from 1.
    pub rule: usize,
    /// What happened, as a sentence.
    pub reason: String,
}

impl fmt::Display for RuleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: {}", self.rule, self.reason)
    }
}

struct Failures<'a>(&'a [RuleFailure]);

impl fmt::Display for Failures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// A user could not be mapped to a DN, or its groups could not be obtained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdapError {
    /// No mapping rule produced a DN for the subject.
    #[error(
        "no mapping rule maps `{subject}` to an LDAP DN ({} rules tried: {})",
        failures.len(), Failures(failures),
        subject = Escaped(subject)
    )]
    NoMapping {
        /// The subject that was mapped.
        subject: String,
        /// Each rule's reason, in rule order.
        failures: Vec<RuleFailure>,
    },
    /// A DN string (mapped user, rendered base DN) that is not a valid RFC 4514 DN.
    #[error("`{dn}` is not a valid DN: {reason}", dn = Escaped(dn))]
    InvalidDn {
        /// The string.
        dn: String,
        /// What is wrong.
        reason: String,
    },
    /// The directory failed; fail closed.
    #[error("LDAP directory failure: {0}")]
    Directory(#[from] DirectoryError),
    /// An attribute query that did not return exactly one entry.
    #[error(
        "the authorization query on `{base_dn}` returned {count} entries; exactly one entry is expected when attributes are requested",
        base_dn = Escaped(base_dn)
    )]
    NotExactlyOneEntry {
        /// The query's base DN.
        base_dn: String,
        /// Entries returned.
        count: usize,
    },
    /// Text captured from the subject whose `\XX` escapes do not decode to UTF-8 (e.g. a
    /// capture group that splits a multi-byte character): refused, because replacing the bytes
    /// would give different names one LDAP DN.
    #[error(
        "the hex escapes in `{text}` do not decode to UTF-8 (does a mapping rule's capture group split a multi-byte character?); the text is refused rather than read with replacement characters, which would give different names one LDAP DN",
        text = Escaped(text)
    )]
    InvalidUtf8Escape {
        /// The captured text, as it appears in the mapping input.
        text: String,
    },
    /// More groups than `Limits::max_ldap_groups`.
    #[error("the LDAP answer holds {count} groups, the limit is {limit}")]
    TooManyGroups {
        /// Groups seen (counting stops just past the limit).
        count: usize,
        /// The limit in force.
        limit: usize,
    },
}

impl LdapError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            LdapError::NoMapping { .. } => "no_mapping",
            LdapError::InvalidDn { .. } => "invalid_dn",
            LdapError::Directory(_) => "directory",
            LdapError::NotExactlyOneEntry { .. } => "not_exactly_one_entry",
            LdapError::TooManyGroups { .. } => "too_many_groups",
            LdapError::InvalidUtf8Escape { .. } => "invalid_utf8_escape",
        }
    }
}

/// A directory search that could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The directory cannot be reached (connection refused, DNS, TLS, bind failure).
    #[error("the directory is unavailable: {reason}", reason = Escaped(reason))]
    Unavailable {
        /// Details.
        reason: String,
    },
    /// The directory did not answer in time.
    #[error("the directory did not answer within {after_ms} ms")]
    Timeout {
        /// The timeout that expired, in milliseconds.
        after_ms: u64,
    },
    /// The directory answered with a protocol error or an unexpected result code.
    #[error("LDAP protocol error: {reason}", reason = Escaped(reason))]
    Protocol {
        /// Details.
        reason: String,
    },
    /// Any other failure.
    #[error("directory error: {reason}", reason = Escaped(reason))]
    Other {
        /// Details.
        reason: String,
    },
    /// Every server refused the configured bind (wrong DN or password, or an expired or
    /// rotated password that none of the configured ones matches). The password is never shown.
    #[error(
        "the directory refused the bind as `{bind_dn}` at {server} ({passwords} password(s) tried): {reason}",
        bind_dn = Escaped(bind_dn),
        server = Escaped(server),
        reason = Escaped(reason)
    )]
    Bind {
        /// The server that refused it (the last one tried).
        server: String,
        /// The bind DN.
        bind_dn: String,
        /// How many configured passwords were tried.
        passwords: usize,
        /// The server's answer (result code and text).
        reason: String,
    },
    /// A blocking call (`authenticate_blocking`, `explain_blocking`) made on a thread that
    /// belongs to a tokio runtime (a worker, `block_on`, or its blocking pool): refused, because
    /// blocking there stalls the runtime. Await the async method instead, or make the blocking
    /// call from a thread of your own (`std::thread::spawn`).
    #[error(
        "a blocking directory call was made on a thread of an async runtime; await `authenticate()` there, or call `authenticate_blocking()` from a thread outside the runtime"
    )]
    BlockingInsideRuntime,
}

impl DirectoryError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            DirectoryError::Unavailable { .. } => "unavailable",
            DirectoryError::Timeout { .. } => "timeout",
            DirectoryError::Protocol { .. } => "protocol",
            DirectoryError::Other { .. } => "other",
            DirectoryError::Bind { .. } => "bind",
            DirectoryError::BlockingInsideRuntime => "blocking_inside_runtime",
        }
    }
}

/// An RFC 4515 search filter that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// Malformed filter text.
    #[error("at byte {offset}: {expected}")]
    Syntax {
        /// Byte offset in the filter string.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// Nesting deeper than the parser allows.
    #[error("filter nesting deeper than {limit} levels")]
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// A filter longer than the parser accepts.
    #[error("filter of {len} bytes is longer than the {limit}-byte limit")]
    TooLong {
        /// Filter length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A valid RFC 4515 construct this evaluator does not support (`>=`, `<=`, `~=`, extensible).
    #[error("at byte {offset}: {what} is not supported")]
    Unsupported {
        /// Byte offset.
        offset: usize,
        /// The construct.
        what: &'static str,
    },
}

impl FilterError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            FilterError::Syntax { .. } => "filter_syntax",
            FilterError::TooDeep { .. } => "filter_too_deep",
            FilterError::TooLong { .. } => "filter_too_long",
            FilterError::Unsupported { .. } => "filter_unsupported",
        }
    }
}

/// An LDIF document that could not be loaded. Messages give the line number and what was
/// expected, never the line's text (the file named may not be LDIF at all, e.g. a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdifError {
    /// Malformed line.
    #[error("LDIF line {line}: {reason}")]
    Syntax {
        /// Line number, from 1.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A `::` value that is not valid base64, or decodes to something that is not UTF-8.
    #[error("LDIF line {line}: a base64 value (after `::`) {reason}")]
    Base64 {
        /// Line number, from 1.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A construct this loader does not support (`changetype`, `:<` URLs).
    #[error("LDIF line {line}: {what} is not supported")]
    Unsupported {
        /// Line number, from 1.
        line: usize,
        /// The construct.
        what: &'static str,
    },
    /// Two records with the same DN.
    #[error("LDIF line {line}: the entry has the same DN as the entry at line {first_line}")]
    DuplicateEntry {
        /// Line number of the second record's `dn:` line, from 1.
        line: usize,
        /// Line number of the first record's `dn:` line, from 1.
        first_line: usize,
    },
    /// A record whose DN is not a valid DN string.
    #[error("LDIF line {line}: the `dn:` value is not a valid DN: {reason}")]
    InvalidDn {
        /// Line number, from 1.
        line: usize,
        /// What is wrong (never the value itself).
        reason: String,
    },
    /// The file could not be read: missing, not a regular file, or over the LDIF size limit.
    #[error("{0}")]
    Read(ReadFileError),
    /// An error in a named LDIF file ([`InMemoryDirectory::from_ldif_file`](crate::directory::InMemoryDirectory::from_ldif_file)).
    #[error("{path}: {source}", path = Escaped(path))]
    InFile {
        /// The path as given.
        path: String,
        /// The error, with its line number.
        source: Box<LdifError>,
    },
}

impl LdifError {
    /// A stable machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            LdifError::Syntax { .. } => "ldif_syntax",
            LdifError::Base64 { .. } => "ldif_base64",
            LdifError::Unsupported { .. } => "ldif_unsupported",
            LdifError::DuplicateEntry { .. } => "ldif_duplicate_entry",
            LdifError::InvalidDn { .. } => "ldif_invalid_dn",
            LdifError::Read(ReadFileError::Io { .. }) => "ldif_io",
            LdifError::Read(e) => e.kind(),
            LdifError::InFile { source, .. } => source.kind(),
        }
    }
}
