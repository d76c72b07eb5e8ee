//! A minimal PostgreSQL front door: the PostgreSQL wire protocol (the `pgwire` crate) over
//! TLS, where a client that completes the handshake with a certificate is logged in by it.
//!
//! ```text
//! cargo run --features rustls --example pg_front_door -- \
//!     --config examples/settings.toml --listen 127.0.0.1:5432 \
//!     --tls-cert examples/pki/server-chain.pem --tls-key examples/pki/server.key
//! ```
//!
//! The two phases of the crate sit at two points of a connection's life:
//!
//! 1. **The TLS handshake** (after the client's SSLRequest) verifies the client's chain and
//!    its proof of possession (the rustls adapter, [`LiveServerConfig`]).
//! 2. **The startup message** names the user the client claims (`user=` in libpq): phase 2
//!    checks that it names the certificate (rule 4, under the settings' name matching, exact
//!    or canonical) and gives the principal; a denial is `FATAL 28000`
//!    (`invalid_authorization_specification`) with the client-safe text, the operator's
//!    reason being in the audit event on stderr. A client that does not use TLS is refused
//!    the same way.
//!
//! The queries it answers (case and spacing of the keywords do not matter, a trailing `;`
//! is allowed): `SELECT current_user` and `SELECT session_user` (the principal's user name),
//! `SHOW roles` (one row per role grant, `role@db`). Anything else is `ERROR 0A000`
//! (`feature_not_supported`). SIGHUP reloads the settings file; SIGTERM stops the server.

mod common;

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, stream};
use pgwire::api::auth::{
    DefaultServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response};
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, METADATA_USER, PgWireServerHandlers, PidSecretKeyGenerator,
    RandomPidSecretKeyGenerator, Type,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use tokio_rustls::TlsAcceptor;
use x509_dbauth::tls::LiveServerConfig;
use x509_dbauth::{LiveAuthenticator, Principal};

fn main() -> std::process::ExitCode {
    common::main_with("pg_front_door", |server| {
        let door = Arc::new(FrontDoor {
            login: Arc::new(Login {
                tls: Arc::clone(&server.tls),
                live: Arc::clone(&server.live),
                pids: RandomPidSecretKeyGenerator::default(),
            }),
            queries: Arc::new(Queries),
        });
        move |stream, peer| {
            let door = Arc::clone(&door);
            async move {
                // A new connection takes the TLS configuration current now (CA hints follow
                // reloads).
                let acceptor = TlsAcceptor::from(door.login.tls.current());
                if let Err(e) = pgwire::tokio::process_socket(stream, Some(acceptor), door).await {
                    tracing::info!(%peer, "connection ended: {e}");
                }
            }
        }
    })
}

/// The server's handlers: the startup (login) and the simple queries.
struct FrontDoor {
    login: Arc<Login>,
    queries: Arc<Queries>,
}

impl PgWireServerHandlers for FrontDoor {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        Arc::clone(&self.login)
    }
}

/// `FATAL 28000` (`invalid_authorization_specification`): the session ends.
fn refused(message: &str) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "FATAL".to_owned(),
        "28000".to_owned(),
        message.to_owned(),
    )))
}

/// The startup phase: TLS and a certificate are required; the startup `user` is the claimed
/// user.
struct Login {
    tls: Arc<LiveServerConfig>,
    live: Arc<LiveAuthenticator>,
    pids: RandomPidSecretKeyGenerator,
}

#[async_trait]
impl StartupHandler for Login {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let PgWireFrontendMessage::Startup(ref startup) = message else {
            // No password or SASL message is expected: the certificate is the credential.
            return Err(refused(
                "this server authenticates by client certificate only",
            ));
        };
        protocol_negotiation(client, startup).await?;
        save_startup_parameters_to_metadata(client, startup);
        if !client.is_secure() {
            return Err(refused(
                "TLS with a client certificate is required (sslmode=verify-full with sslcert and sslkey)",
            ));
        }
        // The hand-over: the handshake's verified chain, without verifying it again.
        let verified = self.tls.verified_client(client.client_certificates());
        let verified = match verified {
            Ok(verified) => verified,
            Err(e) => return Err(refused(e.client_message())),
        };
        let claimed = client.metadata().get(METADATA_USER).cloned();
        let peer = client.socket_addr();
        let decision = self
            .live
            .authenticate_from(&verified, claimed.as_deref(), Some(peer))
            .await;
        let principal = match decision {
            Ok(principal) => principal,
            // The audit event (emitted by the crate) has the operator's reason.
            Err(e) => return Err(refused(e.client_message())),
        };
        let (pid, secret) = self.pids.generate(&*client);
        client.set_pid_and_secret_key(pid, secret);
        let mut parameters = DefaultServerParameterProvider::default();
        parameters.is_superuser = false;
        parameters.session_authorization = Some(principal.user().to_owned());
        client.session_extensions().insert(principal);
        finish_authentication(client, &parameters).await
    }
}

/// The fixed query set, answered from the session's principal.
struct Queries;

/// The queries understood, as normalised by [`normalise`].
const QUERIES: &str = "SELECT current_user, SELECT session_user, SHOW roles";

/// Lower case, single spaces, no trailing `;`.
fn normalise(query: &str) -> String {
    let trimmed = query.trim().trim_end_matches(';').trim();
    trimmed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One text column named `name`, one row per value.
fn column(name: &str, values: Vec<String>) -> PgWireResult<Response> {
    let schema = Arc::new(vec![FieldInfo::new(
        name.to_owned(),
        None,
        None,
        Type::VARCHAR,
        FieldFormat::Text,
    )]);
    let mut encoder = DataRowEncoder::new(Arc::clone(&schema));
    let mut rows = Vec::with_capacity(values.len());
    for value in values {
        encoder.encode_field(&value)?;
        rows.push(Ok(encoder.take_row()));
    }
    Ok(Response::Query(QueryResponse::new(
        schema,
        stream::iter(rows),
    )))
}

#[async_trait]
impl SimpleQueryHandler for Queries {
    async fn do_query<C>(&self, client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let Some(principal) = client.session_extensions().get::<Principal>() else {
            return Err(refused("not logged in"));
        };
        let response = match normalise(query).as_str() {
            "select current_user" => column("current_user", vec![principal.user().to_owned()])?,
            "select session_user" => column("session_user", vec![principal.user().to_owned()])?,
            "show roles" => column("roles", principal.role_names())?,
            _ => {
                return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                    "ERROR".to_owned(),
                    "0A000".to_owned(),
                    format!("this front door answers only: {QUERIES}"),
                ))));
            }
        };
        Ok(vec![response])
    }
}
