//! A throwaway OpenLDAP server for the live-directory tests.
//!
//! [`Slapd::start`] writes a `slapd.conf` (mdb backend, `memberof` overlay so that the server
//! fills `memberOf`, a root DN with a password) into a fresh temporary directory, starts
//! `slapd` in the foreground on a free loopback port, waits until it accepts connections, and
//! loads users and groups over LDAP with `ldapadd` (users before groups: the overlay fills
//! `memberOf` only on online writes). Dropping it kills the server by its pid, waits for it and
//! removes the directory. A watchdog process also kills it if the test process dies first.
//!
//! Without `slapd` installed, [`Slapd::available`] is false and the tests skip, except under
//! `CI=true`, where a missing `slapd` fails the run.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The suffix of the test directory.
pub const SUFFIX: &str = "dc=example,dc=com";
/// The root DN (may do anything).
pub const ROOT_DN: &str = "cn=admin,dc=example,dc=com";
/// The root DN's password.
pub const ROOT_PW: &str = "root-secret";
/// A read-only service account the client binds as.
pub const READER_DN: &str = "cn=reader,dc=example,dc=com";
/// Its password.
pub const READER_PW: &str = "reader-s3cret-Zq9";

const SLAPD: &str = "/usr/sbin/slapd";

fn config(dir: &Path) -> String {
    let d = dir.display();
    format!(
        r#"include   /etc/ldap/schema/core.schema
include   /etc/ldap/schema/cosine.schema
include   /etc/ldap/schema/inetorgperson.schema
TLSCACertificateFile  {d}/ca.pem
TLSCertificateFile    {d}/server.pem
TLSCertificateKeyFile {d}/server.key
pidfile   {d}/slapd.pid
argsfile  {d}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
database  mdb
maxsize   104857600
suffix    "{SUFFIX}"
rootdn    "{ROOT_DN}"
rootpw    {ROOT_PW}
directory {d}/db
index     objectClass eq
index     member eq
index     cn eq
access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by * read
overlay              memberof
memberof-group-oc    groupOfNames
memberof-member-ad   member
memberof-memberof-ad memberOf
memberof-refint      TRUE
"#
    )
}

/// The entries loaded into every server: users first, then groups.
pub fn base_ldif() -> String {
    format!(
        r#"dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: {READER_DN}
objectClass: person
cn: reader
sn: reader
userPassword: {READER_PW}

dn: ou=users,{SUFFIX}
objectClass: organizationalUnit
ou: users

dn: ou=dba,{SUFFIX}
objectClass: organizationalUnit
ou: dba

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: cn=Jane Doe,ou=users,{SUFFIX}
objectClass: inetOrgPerson
cn: Jane Doe
sn: Doe

dn: cn=John Smith,ou=users,{SUFFIX}
objectClass: inetOrgPerson
cn: John Smith
sn: Smith

dn: cn=a*(b)\5Cc\2Cd,ou=users,{SUFFIX}
objectClass: inetOrgPerson
cn: a*(b)\c,d
sn: Special

dn: uid=bob,ou=dba,{SUFFIX}
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder

dn: cn=dbAdmins,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: dbAdmins
member: cn=Jane Doe,ou=users,{SUFFIX}
member: {READER_DN}

dn: cn=readers,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: readers
member: cn=Jane Doe,ou=users,{SUFFIX}
member: cn=a*(b)\5Cc\2Cd,ou=users,{SUFFIX}
member: uid=bob,ou=dba,{SUFFIX}

dn: cn=unconfigured,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: unconfigured
member: cn=John Smith,ou=users,{SUFFIX}
"#
    )
}

/// A running throwaway `slapd`, listening on `ldap://` (StartTLS available) and `ldaps://`
/// with a server certificate for 127.0.0.1 from a CA made for it.
pub struct Slapd {
    child: Option<Child>,
    watchdog: Option<Child>,
    dir: PathBuf,
    port: u16,
    ldaps_port: u16,
}

/// Writes `ca.pem` (a fresh CA), `server.pem` and `server.key` (127.0.0.1 and localhost).
fn write_tls_files(dir: &Path) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose, SanType,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "slapd test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut srv = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    srv.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    srv.subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    srv.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = srv.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

impl Slapd {
    /// Whether `slapd` and `ldapadd` are installed. Under `CI=true` their absence panics, so
    /// that a CI run cannot pass by skipping every live test.
    pub fn available() -> bool {
        let ok = Path::new(SLAPD).exists() && which("ldapadd");
        if !ok && std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "CI=true and slapd / ldapadd are not installed: run scripts/test, which installs the Debian packages slapd and ldap-utils"
            );
        }
        ok
    }

    /// Starts a server loaded with [`base_ldif`].
    pub fn start() -> Slapd {
        let mut last = String::new();
        for _ in 0..5 {
            match Slapd::try_start() {
                Ok(s) => return s,
                Err(e) => last = e,
            }
        }
        panic!("could not start slapd: {last}");
    }

    fn try_start() -> Result<Slapd, String> {
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("x509-dbauth-slapd-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("db")).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("slapd.conf"), config(&dir)).map_err(|e| e.to_string())?;
        write_tls_files(&dir);
        let mut s = Slapd {
            child: None,
            watchdog: None,
            dir,
            port: free_port(),
            ldaps_port: free_port(),
        };
        s.spawn()?;
        s.ldapadd(&base_ldif());
        Ok(s)
    }

    /// Starts slapd on this server's directory and ports and waits until it listens.
    fn spawn(&mut self) -> Result<(), String> {
        let (port, ldaps_port) = (self.port, self.ldaps_port);
        // `-d 0`: stay in the foreground (the pid is the child's), log nothing.
        let child = Command::new(SLAPD)
            .args(["-d", "0", "-f"])
            .arg(self.dir.join("slapd.conf"))
            .arg("-h")
            .arg(format!(
                "ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{ldaps_port}/"
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn {SLAPD}: {e}"))?;
        self.child = Some(child);
        self.watchdog = watchdog(self.pid(), &self.dir);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(self.addr()).is_ok()
                && TcpStream::connect(("127.0.0.1", self.ldaps_port)).is_ok()
            {
                return Ok(());
            }
            let child = self.child.as_mut().unwrap();
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                self.stop();
                return Err(format!("slapd exited with {status}: {err}"));
            }
            if Instant::now() > deadline {
                self.stop();
                return Err("slapd did not listen within 20 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts a stopped server again, on the same ports, with the same data.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart: the server is running");
        self.spawn().unwrap();
    }

    /// The server's pid.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// `ldap://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    /// `ldaps://127.0.0.1:PORT`.
    pub fn ldaps_url(&self) -> String {
        format!("ldaps://127.0.0.1:{}", self.ldaps_port)
    }

    /// The CA certificate (PEM) the server's certificate chains to.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The temporary directory (config, database, and room for test files).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds entries as the root DN.
    pub fn ldapadd(&self, ldif: &str) {
        self.ldap_tool("ldapadd", ldif);
    }

    /// Applies an LDIF change set (`changetype: modify` …) as the root DN.
    pub fn ldapmodify(&self, ldif: &str) {
        self.ldap_tool("ldapmodify", ldif);
    }

    fn ldap_tool(&self, tool: &str, ldif: &str) {
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let file = self.dir.join(format!("load-{n}.ldif"));
        std::fs::write(&file, ldif).unwrap();
        let out = Command::new(tool)
            .args(["-x", "-H", &self.url(), "-D", ROOT_DN, "-w", ROOT_PW, "-f"])
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Kills the server (by its pid) and waits until it is gone; the directory stays until drop.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A shell that kills `pid` (and removes `dir`) once this test process is gone (statics are never dropped, so the
/// shared server of a test binary is stopped this way).
fn watchdog(pid: u32, dir: &Path) -> Option<Child> {
    let me = std::process::id();
    let dir = dir.display();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "while kill -0 {me} 2>/dev/null; do sleep 0.2; done; kill -9 {pid} 2>/dev/null; sleep 0.2; rm -rf '{dir}'"
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}
