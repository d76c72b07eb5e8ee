//! A minimal MongoDB front door: the MongoDB wire protocol over TLS, where a client logs in
//! with MONGODB-X509 and gets the roles of the user its certificate names.
//!
//! ```text
//! cargo run --features rustls --example mongo_front_door -- \
//!     --config examples/settings.toml --listen 127.0.0.1:27017 \
//!     --tls-cert examples/pki/server-chain.pem --tls-key examples/pki/server.key
//! ```
//!
//! The two phases of the crate sit at two points of a connection's life:
//!
//! 1. **The TLS handshake** verifies the client's chain and its proof of possession (the
//!    rustls adapter, [`LiveServerConfig`]); a refused certificate never reaches a command.
//!    Right after it, the connection takes its [`VerifiedClient`] from the adapter (no second
//!    chain verification).
//! 2. **The `authenticate` command** (or `speculativeAuthenticate` inside the first `hello`, as
//!    drivers send it) runs phase 2: the claimed `user`, when sent, must name the certificate
//!    (rule 4), and the principal's roles are what `connectionStatus` shows.
//!
//! What it speaks: OP_MSG (sections of kind 0 and 1, the checksum flag, `moreToCome`) and the
//! legacy OP_QUERY / OP_REPLY for the first `isMaster` a driver may send. Commands: `hello`
//! / `isMaster`, `authenticate` (MONGODB-X509 on `$external`), `connectionStatus`, `ping`,
//! `endSessions`, `buildInfo`; any other command answers `Unauthorized` (13) before
//! authentication and `CommandNotFound` (59) after. A denial is `AuthenticationFailed` (18)
//! with the client-safe text; the operator's reason is in the audit event on stderr.
//! SIGHUP reloads the settings file; SIGTERM stops the server (exit code 0).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use bson::{Bson, Document, doc};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use x509_dbauth::tls::LiveServerConfig;
use x509_dbauth::{AuthError, LiveAuthenticator, Principal, VerifiedClient};

/// OP_REPLY: the answer to a legacy OP_QUERY.
const OP_REPLY: i32 = 1;
/// OP_QUERY: drivers still send their first `isMaster` with it.
const OP_QUERY: i32 = 2004;
/// OP_MSG: every command of a driver for wire version 6 and later.
const OP_MSG: i32 = 2013;
/// The largest message accepted (and announced as `maxMessageSizeBytes`).
const MAX_MESSAGE_BYTES: i32 = 48_000_000;
/// The largest document (announced as `maxBsonObjectSize`).
const MAX_BSON_BYTES: i32 = 16 * 1024 * 1024;
/// The wire versions announced: 17 is MongoDB 6.0 (drivers of today need at least 8 or 9).
const MIN_WIRE_VERSION: i32 = 0;
const MAX_WIRE_VERSION: i32 = 17;

/// OP_MSG flag bits (the low 16 are "required": an unknown one must fail the message).
const CHECKSUM_PRESENT: u32 = 1;
const MORE_TO_COME: u32 = 1 << 1;

/// MongoDB's error codes used here.
const PROTOCOL_ERROR: (i32, &str) = (17, "ProtocolError");
const BAD_VALUE: (i32, &str) = (2, "BadValue");
const UNAUTHORIZED: (i32, &str) = (13, "Unauthorized");
const AUTHENTICATION_FAILED: (i32, &str) = (18, "AuthenticationFailed");
const COMMAND_NOT_FOUND: (i32, &str) = (59, "CommandNotFound");
const MECHANISM_UNAVAILABLE: (i32, &str) = (334, "MechanismUnavailable");
const UNSUPPORTED_OP_QUERY: (i32, &str) = (352, "UnsupportedOpQueryCommand");

/// The database MONGODB-X509 users live in.
const EXTERNAL: &str = "$external";

fn main() -> std::process::ExitCode {
    common::main_with("mongo_front_door", |server| {
        let tls = Arc::clone(&server.tls);
        let live = Arc::clone(&server.live);
        let ids = Arc::new(AtomicI64::new(1));
        move |stream, peer| {
            let id = ids.fetch_add(1, Ordering::Relaxed);
            serve(Arc::clone(&tls), Arc::clone(&live), stream, peer, id)
        }
    })
}

/// One connection: the TLS handshake (phase 1), then commands until the client hangs up.
async fn serve(
    tls: Arc<LiveServerConfig>,
    live: Arc<LiveAuthenticator>,
    stream: TcpStream,
    peer: SocketAddr,
    connection_id: i64,
) {
    let mut stream = match TlsAcceptor::from(tls.current()).accept(stream).await {
        Ok(stream) => stream,
        Err(e) => {
            // The adapter has already logged the audit event with the reason.
            tracing::info!(%peer, "TLS handshake failed: {e}");
            return;
        }
    };
    // The hand-over: the handshake's verified chain, without verifying it again.
    let client = tls.verified_client(stream.get_ref().1.peer_certificates());
    let mut conn = Connection {
        live,
        peer,
        connection_id,
        client,
        principal: None,
        speculative_failure: None,
        next_request_id: 1,
    };
    loop {
        let message = match read_message(&mut stream).await {
            Ok(Some(message)) => message,
            Ok(None) => return,
            Err(why) => {
                tracing::info!(%peer, "closing the connection: {why}");
                return;
            }
        };
        let reply = match conn.handle(&message).await {
            Ok(reply) => reply,
            Err(why) => {
                tracing::info!(%peer, "closing the connection: {why}");
                return;
            }
        };
        if let Some(bytes) = reply {
            if let Err(e) = stream.write_all(&bytes).await {
                tracing::info!(%peer, "closing the connection: {e}");
                return;
            }
            if let Err(e) = stream.flush().await {
                tracing::info!(%peer, "closing the connection: {e}");
                return;
            }
        }
    }
}

/// A message as read from the wire: its header fields and the bytes after the header.
struct Message {
    header: [u8; 16],
    request_id: i32,
    op_code: i32,
    body: Vec<u8>,
}

/// Reads one message; `None` when the client closed the connection between messages.
async fn read_message(stream: &mut (impl AsyncRead + Unpin)) -> Result<Option<Message>, String> {
    let mut header = [0u8; 16];
    match stream.read_exact(&mut header).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    let mut fields = Reader::new(&header);
    let length = fields.i32()?;
    let request_id = fields.i32()?;
    let _response_to = fields.i32()?;
    let op_code = fields.i32()?;
    if !(16..=MAX_MESSAGE_BYTES).contains(&length) {
        return Err(format!("message length {length} out of range"));
    }
    let body_len = usize::try_from(length - 16).map_err(|e| e.to_string())?;
    let mut body = vec![0u8; body_len];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(Message {
        header,
        request_id,
        op_code,
        body,
    }))
}

/// A little-endian reader over a message's bytes; running short is an error, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.bytes.len() {
            return Err("the message ends early".to_owned());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        let array: [u8; 4] = b.try_into().map_err(|_| "short field".to_owned())?;
        Ok(u32::from_le_bytes(array))
    }

    fn i32(&mut self) -> Result<i32, String> {
        Ok(self.u32()? as i32)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn cstring(&mut self) -> Result<&'a str, String> {
        let end = self
            .bytes
            .iter()
            .position(|&b| b == 0)
            .ok_or("a string without its terminating zero")?;
        let text = self.take(end)?;
        self.take(1)?;
        std::str::from_utf8(text).map_err(|e| format!("a string that is not UTF-8: {e}"))
    }

    /// One BSON document (its length prefix says how long).
    fn document(&mut self) -> Result<Document, String> {
        let declared = self
            .bytes
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(i32::from_le_bytes)
            .ok_or("the message ends early")?;
        if !(5..=MAX_BSON_BYTES).contains(&declared) {
            return Err(format!("a document length of {declared} bytes"));
        }
        let bytes = self.take(declared as usize)?;
        Document::from_reader(bytes).map_err(|e| format!("a malformed document: {e}"))
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// CRC-32C (Castagnoli), the OP_MSG checksum.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A MongoDB error document.
fn error(code: (i32, &str), message: &str) -> Document {
    doc! { "ok": 0.0, "errmsg": message, "code": code.0, "codeName": code.1 }
}

/// A connection's state.
struct Connection {
    live: Arc<LiveAuthenticator>,
    peer: SocketAddr,
    connection_id: i64,
    /// Phase 1's result, from the handshake.
    client: Result<VerifiedClient, AuthError>,
    /// Phase 2's result, once a login succeeded.
    principal: Option<Principal>,
    /// A refused `speculativeAuthenticate` (claimed user, client text): the driver's explicit
    /// `authenticate` that follows gets the same answer without a second decision.
    speculative_failure: Option<(Option<String>, Refusal)>,
    next_request_id: i32,
}

impl Connection {
    /// Answers one message; `None` when the client asked for no reply (`moreToCome`). An
    /// error closes the connection (a message that cannot be read).
    async fn handle(&mut self, message: &Message) -> Result<Option<Vec<u8>>, String> {
        match message.op_code {
            OP_MSG => {
                let (flags, db, command) = parse_op_msg(&message.header, &message.body)?;
                let reply = self.command(&db, &command).await;
                if flags & MORE_TO_COME != 0 {
                    return Ok(None);
                }
                Ok(Some(self.op_msg_reply(message.request_id, &reply)?))
            }
            OP_QUERY => {
                let (namespace, command) = parse_op_query(&message.body)?;
                let name = command.keys().next().map(String::as_str).unwrap_or("");
                let reply = match namespace.strip_suffix(".$cmd") {
                    Some(db) if is_hello(name) => self.command(db, &command).await,
                    _ => error(
                        UNSUPPORTED_OP_QUERY,
                        "OP_QUERY is answered only for hello and isMaster; use OP_MSG",
                    ),
                };
                Ok(Some(self.op_reply(message.request_id, &reply)?))
            }
            other => Err(format!("unsupported opCode {other}")),
        }
    }

    fn request_id(&mut self) -> i32 {
        let id = self.next_request_id;
        self.next_request_id = self.next_request_id.wrapping_add(1);
        id
    }

    fn op_msg_reply(&mut self, response_to: i32, reply: &Document) -> Result<Vec<u8>, String> {
        let doc = reply.to_vec().map_err(|e| e.to_string())?;
        let mut payload = Vec::with_capacity(doc.len() + 5);
        payload.extend_from_slice(&0u32.to_le_bytes());
        payload.push(0);
        payload.extend_from_slice(&doc);
        self.frame(response_to, OP_MSG, &payload)
    }

    fn op_reply(&mut self, response_to: i32, reply: &Document) -> Result<Vec<u8>, String> {
        let doc = reply.to_vec().map_err(|e| e.to_string())?;
        let mut payload = Vec::with_capacity(doc.len() + 20);
        payload.extend_from_slice(&0i32.to_le_bytes()); // responseFlags
        payload.extend_from_slice(&0i64.to_le_bytes()); // cursorID
        payload.extend_from_slice(&0i32.to_le_bytes()); // startingFrom
        payload.extend_from_slice(&1i32.to_le_bytes()); // numberReturned
        payload.extend_from_slice(&doc);
        self.frame(response_to, OP_REPLY, &payload)
    }

    fn frame(&mut self, response_to: i32, op_code: i32, payload: &[u8]) -> Result<Vec<u8>, String> {
        let length = i32::try_from(payload.len() + 16).map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(payload.len() + 16);
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&self.request_id().to_le_bytes());
        out.extend_from_slice(&response_to.to_le_bytes());
        out.extend_from_slice(&op_code.to_le_bytes());
        out.extend_from_slice(payload);
        Ok(out)
    }

    /// One command: its name is the first key of the document.
    async fn command(&mut self, db: &str, command: &Document) -> Document {
        let name = command.keys().next().map(String::as_str).unwrap_or("");
        match name {
            n if is_hello(n) => self.hello(n, command).await,
            "authenticate" => self.authenticate(db, command).await,
            "connectionStatus" => self.connection_status(),
            "ping" | "endSessions" => doc! { "ok": 1.0 },
            "buildInfo" | "buildinfo" => doc! {
                "version": "6.0.0-x509-dbauth-front-door",
                "versionArray": [6, 0, 0, 0],
                "maxBsonObjectSize": MAX_BSON_BYTES,
                "ok": 1.0,
            },
            _ if self.principal.is_none() => error(
                UNAUTHORIZED,
                &format!("command {name} requires authentication"),
            ),
            _ => error(COMMAND_NOT_FOUND, &format!("no such command: '{name}'")),
        }
    }

    /// `hello` / `isMaster`: what the server is, and the result of `speculativeAuthenticate`.
    async fn hello(&mut self, name: &str, command: &Document) -> Document {
        let mut reply = Document::new();
        if name == "hello" {
            reply.insert("isWritablePrimary", true);
        } else {
            reply.insert("ismaster", true);
            // From here on the driver may use `hello`.
            reply.insert("helloOk", true);
        }
        reply.insert("maxBsonObjectSize", MAX_BSON_BYTES);
        reply.insert("maxMessageSizeBytes", MAX_MESSAGE_BYTES);
        reply.insert("maxWriteBatchSize", 100_000i32);
        reply.insert("localTime", Bson::DateTime(bson::DateTime::now()));
        reply.insert("logicalSessionTimeoutMinutes", 30i32);
        reply.insert("connectionId", self.connection_id);
        reply.insert("minWireVersion", MIN_WIRE_VERSION);
        reply.insert("maxWireVersion", MAX_WIRE_VERSION);
        reply.insert("readOnly", false);
        if command.contains_key("saslSupportedMechs") {
            // MONGODB-X509 is not a SASL mechanism; this server offers no SASL mechanism.
            reply.insert("saslSupportedMechs", Bson::Array(Vec::new()));
        }
        if let Ok(speculative) = command.get_document("speculativeAuthenticate") {
            // A refused speculative login is not an error of `hello`: the driver then sends
            // `authenticate`, which reports it (from this one decision).
            match self.login(EXTERNAL, speculative).await {
                Ok(answer) => {
                    reply.insert("speculativeAuthenticate", answer);
                }
                Err(refusal) => {
                    let claimed = match speculative.get("user") {
                        Some(Bson::String(user)) => Some(user.clone()),
                        _ => None,
                    };
                    self.speculative_failure = Some((claimed, refusal));
                }
            }
        }
        reply.insert("ok", 1.0);
        reply
    }

    /// The `authenticate` command.
    async fn authenticate(&mut self, db: &str, command: &Document) -> Document {
        match self.login(db, command).await {
            Ok(mut answer) => {
                answer.insert("ok", 1.0);
                answer
            }
            Err(refusal) => error(refusal.code, &refusal.message),
        }
    }

    /// MONGODB-X509 on `$external`: phase 2, with the claimed `user` (rule 4) when the client
    /// sent one. The answer is `{dbname, user}`.
    async fn login(&mut self, db: &str, command: &Document) -> Result<Document, Refusal> {
        match command.get("mechanism") {
            Some(Bson::String(m)) if m == "MONGODB-X509" => {}
            Some(Bson::String(m)) => {
                return Err(Refusal::new(
                    MECHANISM_UNAVAILABLE,
                    format!(
                        "Received authentication for mechanism {m} which is not enabled; this server offers MONGODB-X509"
                    ),
                ));
            }
            _ => {
                return Err(Refusal::new(
                    BAD_VALUE,
                    "authenticate needs a mechanism (MONGODB-X509)",
                ));
            }
        }
        if db != EXTERNAL {
            return Err(Refusal::new(
                PROTOCOL_ERROR,
                "X.509 authentication must always use the $external database.",
            ));
        }
        let claimed = match command.get("user") {
            None => None,
            Some(Bson::String(user)) => Some(user.clone()),
            Some(_) => {
                return Err(Refusal::new(
                    BAD_VALUE,
                    "the user field of authenticate must be a string",
                ));
            }
        };
        if let Some((earlier, refusal)) = self.speculative_failure.take()
            && earlier == claimed
        {
            return Err(refusal);
        }
        let client = match &self.client {
            Ok(client) => client,
            Err(e) => return Err(Refusal::new(AUTHENTICATION_FAILED, e.client_message())),
        };
        let decision = self
            .live
            .authenticate_from(client, claimed.as_deref(), Some(self.peer))
            .await;
        match decision {
            Ok(principal) => {
                let user = principal.user().to_owned();
                self.principal = Some(principal);
                Ok(doc! { "dbname": EXTERNAL, "user": user })
            }
            // The audit event (emitted by the crate) has the operator's reason; the client
            // gets the text meant for it.
            Err(e) => Err(Refusal::new(AUTHENTICATION_FAILED, e.client_message())),
        }
    }

    /// `connectionStatus`: who is logged in on this connection, with which roles.
    fn connection_status(&self) -> Document {
        let (users, roles) = match &self.principal {
            None => (Vec::new(), Vec::new()),
            Some(p) => {
                let users = vec![Bson::Document(doc! { "user": p.user(), "db": EXTERNAL })];
                let roles = p
                    .roles()
                    .iter()
                    .map(|grant| {
                        let mut role = doc! { "role": grant.role(), "db": grant.db() };
                        // This crate can grant read / readWrite on one collection.
                        if let Some(collection) = grant.collection() {
                            role.insert("collection", collection);
                        }
                        Bson::Document(role)
                    })
                    .collect();
                (users, roles)
            }
        };
        doc! {
            "authInfo": {
                "authenticatedUsers": users,
                "authenticatedUserRoles": roles,
            },
            "ok": 1.0,
        }
    }
}

fn is_hello(name: &str) -> bool {
    matches!(name, "hello" | "isMaster" | "ismaster")
}

/// A refused login: the MongoDB error code and the text the client sees.
struct Refusal {
    code: (i32, &'static str),
    message: String,
}

impl Refusal {
    fn new(code: (i32, &'static str), message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

/// OP_MSG: flag bits, sections of kind 0 (the body) and 1 (document sequences, added to the
/// body as arrays), and the CRC-32C checksum when flagged. Returns the flags, `$db` and the
/// command.
fn parse_op_msg(header: &[u8; 16], bytes: &[u8]) -> Result<(u32, String, Document), String> {
    let flags = Reader::new(bytes).u32()?;
    let unknown_required = flags & 0xFFFF & !(CHECKSUM_PRESENT | MORE_TO_COME);
    if unknown_required != 0 {
        return Err(format!(
            "unknown required OP_MSG flag bits {unknown_required:#x}"
        ));
    }
    // Bit 16 (exhaustAllowed) is optional: this server never streams replies.
    let sections = if flags & CHECKSUM_PRESENT != 0 {
        // The checksum covers the whole message before it, header included.
        let split = bytes
            .len()
            .checked_sub(4)
            .ok_or("OP_MSG checksum missing")?;
        let (covered, checksum) = bytes.split_at(split);
        let stated = Reader::new(checksum).u32()?;
        let mut whole = header.to_vec();
        whole.extend_from_slice(covered);
        if crc32c(&whole) != stated {
            return Err("OP_MSG checksum does not match".to_owned());
        }
        covered
    } else {
        bytes
    };
    let mut reader = Reader::new(sections);
    reader.u32()?;
    let mut body: Option<Document> = None;
    let mut sequences: Vec<(String, Vec<Bson>)> = Vec::new();
    while !reader.is_empty() {
        match reader.u8()? {
            0 => {
                if body.is_some() {
                    return Err("OP_MSG with two body sections".to_owned());
                }
                body = Some(reader.document()?);
            }
            1 => {
                let size = reader.i32()?;
                let size = usize::try_from(size)
                    .ok()
                    .and_then(|s| s.checked_sub(4))
                    .ok_or("a document sequence of negative size")?;
                let mut section = Reader::new(reader.take(size)?);
                let identifier = section.cstring()?.to_owned();
                let mut docs = Vec::new();
                while !section.is_empty() {
                    docs.push(Bson::Document(section.document()?));
                }
                sequences.push((identifier, docs));
            }
            kind => return Err(format!("OP_MSG section kind {kind}")),
        }
    }
    let mut body = body.ok_or("OP_MSG without a body section")?;
    for (identifier, docs) in sequences {
        body.insert(identifier, Bson::Array(docs));
    }
    let db = body
        .get_str("$db")
        .map_err(|_| "OP_MSG command without $db")?
        .to_owned();
    Ok((flags, db, body))
}

/// OP_QUERY: the namespace (`<db>.$cmd`) and the query document (unwrapped from `$query`).
fn parse_op_query(bytes: &[u8]) -> Result<(String, Document), String> {
    let mut reader = Reader::new(bytes);
    let _flags = reader.i32()?;
    let namespace = reader.cstring()?.to_owned();
    let _skip = reader.i32()?;
    let _return = reader.i32()?;
    let query = reader.document()?;
    let query = match query.get("$query") {
        Some(Bson::Document(inner)) => inner.clone(),
        _ => query,
    };
    Ok((namespace, query))
}
