//! The team hub: a PostgreSQL database that reviewers on their own machines sync with, and
//! that enforces blind mode itself.
//!
//! This module is the only code that speaks to PostgreSQL. The hub holds, in schema `ecolens`:
//! - `meta`: the project's id, blind mode, whether leads see all, and a visibility epoch that
//!   changes whenever what reviewers may see changes;
//! - `reviewer`: each reviewer's PostgreSQL login, name in the project, and lead flag;
//! - `record`: the records the leads share (each as the JSON of [`Record`], with the files it
//!   was imported from, so every copy's PRISMA names the same sources);
//! - `change`: every review change pushed (a vote, a classification, a risk, a label, a tree
//!   root, a paper audit, a lead's resolution), one row each, named by a content hash: pushing the same change
//!   twice adds nothing.
//!
//! The server, not the client, decides what each login sees: row-level security on `change`
//! shows a row to its author, to everyone once the project is unblinded, and to leads when
//! leads see all. `change` is insert-only for every role (no UPDATE, DELETE or TRUNCATE is
//! granted, and a trigger refuses them from the owner too). Only leads add records and change
//! settings (through [`Hub::set_switch`], a function that checks the caller is a lead).
//!
//! Each hub has two group roles, named after its database: `<db>_ecolens_reviewer` and
//! `<db>_ecolens_lead` (a member of the first). A reviewer's login is a role in one of them.

use postgres::config::{Host, SslMode};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Transaction};
use serde::Serialize;
use serde_json::Value;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::bundle::RecordRef;
use crate::error::{Error, Result};
use crate::record::{Record, SourceRef};
use crate::review::ProjectLabel;

/// The hub schema version this build creates and reads.
pub const HUB_SCHEMA_VERSION: i64 = 2;

/// The steps from each hub schema version to the next, as the version each makes and its SQL.
/// `hub init` creates version 1 and applies them all; [`Hub::upgrade`] applies the ones a hub
/// made by an older ecolens lacks. A step is never edited once released: a new one is added.
const HUB_UPGRADES: [(i64, &str); 1] = [(
    2,
    // Whether this login sees everything is asked once per query (a scalar subquery is an
    // InitPlan), not once per row: a blind reviewer's pull reads every row after its cursor,
    // and the per-row calls made a pull of a ten-reviewer hub four times slower.
    "ALTER POLICY change_read ON ecolens.change
         USING (author = current_user OR (SELECT ecolens.sees_all()));",
)];

/// The kinds of review change a hub carries, as `change.kind` names them, with the list of
/// a decision bundle ([`crate::bundle::Bundle`]) that holds them. `retract` (not listed: it is
/// no bundle item) takes back an item its author removed: `{"of": kind, "key": …, "at": time}`.
pub const CHANGE_KINDS: [(&str, &str); 7] = [
    ("vote", "votes"),
    ("classification", "classifications"),
    ("risk", "risks"),
    ("label", "labels"),
    ("root", "roots"),
    ("audit", "audits"),
    ("resolution", "resolutions"),
];

/// Where a hub is, as typed (`postgres://user:password@host:port/db` or `host=… user=…`).
#[derive(Clone)]
pub struct HubUrl {
    text: String,
    config: Config,
}

impl HubUrl {
    /// Parses a connection string; `field` names where it came from in errors.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let config = Config::from_str(text.trim()).map_err(|error| {
            Error::invalid(
                field,
                redact(text),
                format!(
                    "a PostgreSQL connection string, postgres://USER@HOST:PORT/DATABASE ({error})"
                ),
            )
        })?;
        if config.get_dbname().is_none() {
            return Err(Error::invalid(
                field,
                redact(text),
                "a connection string that names the database (postgres://USER@HOST/DATABASE)",
            ));
        }
        if config.get_user().is_none() {
            return Err(Error::invalid(
                field,
                redact(text),
                "a connection string that names the login (postgres://USER@HOST/DATABASE)",
            ));
        }
        Ok(Self {
            text: text.trim().to_owned(),
            config,
        })
    }

    /// The login.
    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// The database.
    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    /// `host:port/db`, for messages and provenance (never the password).
    pub fn place(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!("{host}:{port}/{}", self.database())
    }

    /// The same server and database for another login and password, as a URL.
    pub fn for_login(&self, login: &str, password: &str) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let ssl = match self.config.get_ssl_mode() {
            SslMode::Require => "?sslmode=require",
            SslMode::Disable => "?sslmode=disable",
            _ => "",
        };
        format!(
            "postgres://{}:{}@{}:{port}/{}{ssl}",
            percent_encode(login),
            percent_encode(password),
            percent_encode(&host),
            percent_encode(self.database())
        )
    }

    /// The text as given, password included (kept in the user's own settings, never in a
    /// project file).
    pub fn secret_text(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for HubUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HubUrl({}@{})", self.user(), self.place())
    }
}

/// A connection string with its password replaced by `***`.
pub fn redact(text: &str) -> String {
    if let Some(at) = text.find('@')
        && let Some(scheme) = text.find("://")
        && scheme < at
    {
        let credentials = &text[scheme + 3..at];
        if let Some(colon) = credentials.find(':') {
            return format!(
                "{}{}:***{}",
                &text[..scheme + 3],
                &credentials[..colon],
                &text[at..]
            );
        }
    }
    let mut out = Vec::new();
    for part in text.split_whitespace() {
        if part.starts_with("password=") {
            out.push("password=***".to_owned());
        } else {
            out.push(part.to_owned());
        }
    }
    out.join(" ")
}

/// A part of a URL: unreserved characters (RFC 3986 §2.3) stay, the rest is escaped.
fn percent_encode(text: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const PART: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(text, PART).to_string()
}

/// The hub's settings as the server holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubSettings {
    /// The project's id (a working copy takes it when it joins).
    pub project_id: String,
    /// Blind mode.
    pub blind: bool,
    /// Leads see everyone's judgements while blind.
    pub leads_see_all: bool,
    /// Changes whenever what reviewers may see changes (a client pulling after it reads all
    /// again: rows it could not see before may be visible now).
    pub epoch: i64,
    /// The version of the hub's schema ([`HUB_SCHEMA_VERSION`] once upgraded).
    pub schema_version: i64,
    /// The project's other settings as a lead last wrote them (`project_meta` key → value),
    /// if one has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<std::collections::BTreeMap<String, String>>,
}

/// A reviewer on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubReviewer {
    /// PostgreSQL login.
    pub login: String,
    /// Name in the project.
    pub name: String,
    /// Whether a lead.
    pub is_lead: bool,
    /// Removed by a lead (the login can no longer connect; past work stays).
    pub removed: bool,
}

/// A project vocabulary as the hub shares it, with its entries (retired ones too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedVocabulary {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Its entries.
    pub labels: Vec<ProjectLabel>,
}

/// What the hub says of a record's full text (the text and the file are not shared).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SharedFullText {
    /// The file it was extracted from (its name as the lead has it).
    pub file: String,
    /// Pages, when known.
    pub pages: Option<i32>,
    /// Characters of the extracted text.
    pub chars: i64,
    /// SHA-256 of the extracted text (hex): a copy extracted from the same file gives it too.
    pub text_sha256: String,
    /// The lead whose copy holds it.
    pub held_by: String,
}

/// A record as the hub shares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRecord {
    /// Its id on the hub.
    pub hub_id: i64,
    /// The record.
    pub record: Record,
    /// The files it was imported from, oldest first.
    pub sources: Vec<SourceRef>,
}

/// One review change as pushed and pulled.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HubChange {
    /// Content hash of kind, record and item: the same change always has the same uid.
    pub uid: String,
    /// One of [`CHANGE_KINDS`].
    pub kind: String,
    /// The record it is about.
    pub record: RecordRef,
    /// The item as a decision bundle holds it (its `record` index is set when a bundle is
    /// built from changes).
    pub item: Value,
}

/// A change read back from the hub.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PulledChange {
    /// Order on the hub.
    pub seq: i64,
    /// The login that pushed it.
    pub author: String,
    /// The change.
    pub change: HubChange,
}

/// An open connection to a hub.
pub struct Hub {
    client: Client,
    url: HubUrl,
    /// The sync's queries, prepared once per connection: the postgres crate prepares a text
    /// query anew each time it runs, a round trip more, and a sync is mostly round trips.
    statements: std::collections::HashMap<&'static str, postgres::Statement>,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hub({:?})", self.url)
    }
}

/// Turns a PostgreSQL error into [`Error::Hub`], or [`Error::HubUnreachable`] when the server
/// could not be reached or the connection broke.
/// Applies the upgrade steps the hub lacks, inside `tx`; returns the version it had.
fn upgrade_in(tx: &mut Transaction<'_>, url: &HubUrl) -> Result<i64> {
    let value: String = tx
        .query_one(
            "SELECT value FROM ecolens.meta WHERE key = 'schema_version' FOR UPDATE",
            &[],
        )
        .map_err(hub_error(url, "reading the hub's schema version"))?
        .get(0);
    let from: i64 = value
        .parse()
        .map_err(|_| Error::invalid("hub.schema_version", &value, "a whole number"))?;
    if from > HUB_SCHEMA_VERSION {
        return Err(Error::invalid(
            "hub.schema_version",
            value,
            format!("{HUB_SCHEMA_VERSION} or older: update ecolens"),
        ));
    }
    for (to, sql) in HUB_UPGRADES {
        if to <= from {
            continue;
        }
        tx.batch_execute(sql).map_err(|error| {
            if error.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
                Error::HubRefused {
                    action: "upgrading the hub",
                    detail: format!(
                        "only the hub's owner (the connection `ecolens hub init` used) may upgrade it to version {to}"
                    ),
                }
            } else {
                hub_error(url, "upgrading the hub")(error)
            }
        })?;
        tx.execute(
            "UPDATE ecolens.meta SET value = $1 WHERE key = 'schema_version'",
            &[&to.to_string()],
        )
        .map_err(hub_error(url, "upgrading the hub"))?;
    }
    Ok(from)
}

fn hub_error<'u>(url: &'u HubUrl, action: &'static str) -> impl Fn(postgres::Error) -> Error + 'u {
    move |error| {
        if let Some(db) = error.as_db_error() {
            let code = db.code();
            if *code == SqlState::INSUFFICIENT_PRIVILEGE {
                return Error::HubRefused {
                    action,
                    detail: db.message().to_owned(),
                };
            }
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                return Error::HubRefused {
                    action,
                    detail: format!("{} ({})", db.message(), url.user()),
                };
            }
            // A server starting, stopping or restarting, or a connection lost: offline for
            // now, as a server that does not answer is (the copy goes on and syncs later).
            let down = [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
            ];
            if down.contains(code) || code.code().starts_with("08") {
                return Error::HubUnreachable {
                    place: url.place(),
                    detail: db.message().to_owned(),
                };
            }
            return Error::Hub {
                action,
                detail: db.message().to_owned(),
            };
        }
        Error::HubUnreachable {
            place: url.place(),
            detail: error.to_string(),
        }
    }
}

impl Hub {
    /// Connects. `sslmode` works as libpq's does: `disable`; `prefer` (the default) encrypts
    /// when the server offers TLS; `require` refuses a server without it. As in libpq, these
    /// modes encrypt without checking the server's certificate (a lab server's certificate is
    /// usually self-signed).
    pub fn connect(url: &HubUrl) -> Result<Self> {
        let mut config = url.config.clone();
        config.connect_timeout(std::time::Duration::from_secs(10));
        config.application_name("ecolens");
        let client = if config.get_ssl_mode() == SslMode::Disable {
            config.connect(NoTls)
        } else {
            let connector = tls::connector().map_err(|error| Error::Hub {
                action: "setting up TLS",
                detail: error.to_string(),
            })?;
            config.connect(connector)
        }
        .map_err(hub_error(url, "connecting"))?;
        Ok(Self {
            client,
            url: url.clone(),
            statements: std::collections::HashMap::new(),
        })
    }

    /// `sql` prepared on this connection, once.
    fn prepared(
        &mut self,
        sql: &'static str,
    ) -> std::result::Result<postgres::Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Where this hub is.
    pub fn url(&self) -> &HubUrl {
        &self.url
    }

    /// Whether the connection still works.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn group(&mut self, which: &str) -> Result<String> {
        group_of(&mut self.client, which, &self.url)
    }

    /// Creates the hub's schema in an empty database, as its owner: the caller needs to be
    /// allowed to create roles (a superuser or `CREATEROLE`). Refuses a database that already
    /// holds a hub.
    /// `lead` (login, name, password) is the first lead's login, made in the same
    /// transaction: a hub is made whole or not at all.
    pub fn init(&mut self, settings: &HubSettings, lead_login: (&str, &str, &str)) -> Result<()> {
        let reviewer = self.group("reviewer")?;
        let lead = self.group("lead")?;
        let url = self.url.clone();
        let exists: bool = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'ecolens')",
                &[],
            )
            .map_err(hub_error(&url, "looking for a hub"))?
            .get(0);
        if exists {
            return Err(Error::AlreadyExists {
                entity: "hub",
                key: url.place(),
            });
        }
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to create the hub"))?;
        for group in [&reviewer, &lead] {
            let found: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                    &[group],
                )
                .map_err(hub_error(&url, "looking for the hub's roles"))?
                .get(0);
            if !found {
                tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", ident(group)))
                    .map_err(hub_error(&url, "creating the hub's roles"))?;
            }
        }
        let (r, l) = (ident(&reviewer), ident(&lead));
        let schema = format!(
            r"
            GRANT {r} TO {l};
            CREATE SCHEMA ecolens;
            REVOKE ALL ON SCHEMA ecolens FROM PUBLIC;
            GRANT USAGE ON SCHEMA ecolens TO {r};
            CREATE TABLE ecolens.meta (
                key   text PRIMARY KEY,
                value text NOT NULL
            );
            CREATE TABLE ecolens.reviewer (
                login      text PRIMARY KEY,
                name       text NOT NULL UNIQUE,
                is_lead    boolean NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                removed_at timestamptz
            );
            CREATE TABLE ecolens.record (
                hub_id   bigserial PRIMARY KEY,
                content  jsonb NOT NULL,
                sources  jsonb NOT NULL DEFAULT '[]',
                added_by text NOT NULL DEFAULT current_user,
                added_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE ecolens.change (
                seq        bigserial PRIMARY KEY,
                uid        text NOT NULL UNIQUE,
                author     text NOT NULL DEFAULT current_user REFERENCES ecolens.reviewer(login),
                kind       text NOT NULL CHECK (kind IN ('vote', 'classification', 'risk', 'label', 'root', 'audit', 'resolution', 'retract')),
                record_ref jsonb NOT NULL,
                item       jsonb NOT NULL,
                pushed_at  timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX change_author ON ecolens.change(author, seq);
            -- What a lead's copy holds of each record's full text: the file's name, pages,
            -- the text's length and hash. The text and the file stay with the lead.
            CREATE SEQUENCE ecolens.fulltext_version;
            CREATE TABLE ecolens.fulltext (
                hub_id       bigint PRIMARY KEY REFERENCES ecolens.record(hub_id),
                version      bigint NOT NULL DEFAULT nextval('ecolens.fulltext_version'),
                file         text NOT NULL,
                pages        integer,
                chars        bigint NOT NULL,
                text_sha256  text NOT NULL,
                held_by      text NOT NULL DEFAULT current_user,
                shared_at    timestamptz NOT NULL DEFAULT now()
            );
            -- Project vocabularies (exclusion reasons, tags, coding schemes) as a union: an
            -- entry anyone adds reaches every copy before the changes that use it.
            CREATE TABLE ecolens.vocabulary (
                id          text PRIMARY KEY,
                name        text NOT NULL,
                description text NOT NULL,
                added_by    text NOT NULL DEFAULT current_user
            );
            CREATE TABLE ecolens.label (
                vocabulary text NOT NULL REFERENCES ecolens.vocabulary(id),
                code       text NOT NULL,
                content    jsonb NOT NULL,
                added_by   text NOT NULL DEFAULT current_user,
                PRIMARY KEY (vocabulary, code)
            );

            -- Insert-only, whoever asks (the owner included): an undo is a new change.
            CREATE FUNCTION ecolens.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'ecolens.change is insert-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            CREATE TRIGGER change_insert_only BEFORE UPDATE OR DELETE ON ecolens.change
                FOR EACH ROW EXECUTE FUNCTION ecolens.refuse_rewrite();
            CREATE TRIGGER change_no_truncate BEFORE TRUNCATE ON ecolens.change
                FOR EACH STATEMENT EXECUTE FUNCTION ecolens.refuse_rewrite();

            CREATE FUNCTION ecolens.is_lead() RETURNS boolean LANGUAGE sql STABLE AS $$
                SELECT EXISTS (SELECT 1 FROM ecolens.reviewer
                               WHERE login = current_user AND is_lead AND removed_at IS NULL)
            $$;
            CREATE FUNCTION ecolens.sees_all() RETURNS boolean LANGUAGE sql STABLE AS $$
                SELECT coalesce((SELECT value FROM ecolens.meta WHERE key = 'blind'), 'on') = 'off'
                    OR (coalesce((SELECT value FROM ecolens.meta WHERE key = 'leads_see_all'), 'off') = 'on'
                        AND ecolens.is_lead())
            $$;
            -- The one way to change a setting: a lead, a known key; the epoch moves with it.
            CREATE FUNCTION ecolens.set_switch(setting text, on_off text) RETURNS bigint
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = ecolens, pg_temp AS $$
            DECLARE new_epoch bigint;
            BEGIN
                -- A definer's function runs as the owner: the caller is the session's login.
                IF NOT EXISTS (SELECT 1 FROM ecolens.reviewer
                               WHERE login = session_user AND is_lead AND removed_at IS NULL) THEN
                    RAISE EXCEPTION 'only a lead of this hub may change %', setting
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF setting NOT IN ('blind', 'leads_see_all') OR on_off NOT IN ('on', 'off') THEN
                    RAISE EXCEPTION 'unknown setting % = %', setting, on_off;
                END IF;
                UPDATE ecolens.meta SET value = on_off WHERE key = setting;
                UPDATE ecolens.meta SET value = (value::bigint + 1)::text WHERE key = 'epoch'
                    RETURNING value::bigint INTO new_epoch;
                RETURN new_epoch;
            END $$;
            REVOKE ALL ON FUNCTION ecolens.set_switch(text, text) FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION ecolens.set_switch(text, text) TO {l};
            -- The project's other settings (screening rule and order, highlighted words, the
            -- assessment's factors), as one JSON object a lead writes.
            CREATE FUNCTION ecolens.set_settings(content text) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = ecolens, pg_temp AS $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM ecolens.reviewer
                               WHERE login = session_user AND is_lead AND removed_at IS NULL) THEN
                    RAISE EXCEPTION 'only a lead of this hub may change its settings'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                PERFORM content::jsonb;
                INSERT INTO ecolens.meta (key, value) VALUES ('settings', content)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            END $$;
            REVOKE ALL ON FUNCTION ecolens.set_settings(text) FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION ecolens.set_settings(text) TO {l};

            -- Not FORCEd: the owner (the lab's administrator, never a reviewer's login) reads
            -- every row, which pg_dump needs to back the hub up.
            ALTER TABLE ecolens.change ENABLE ROW LEVEL SECURITY;
            CREATE POLICY change_read ON ecolens.change FOR SELECT
                USING (author = current_user OR ecolens.sees_all());
            -- A login writes as itself, while not removed; only leads resolve.
            CREATE POLICY change_write ON ecolens.change FOR INSERT
                WITH CHECK (author = current_user
                    AND EXISTS (SELECT 1 FROM ecolens.reviewer
                                WHERE login = current_user AND removed_at IS NULL)
                    AND (kind <> 'resolution' OR ecolens.is_lead()));

            GRANT SELECT ON ecolens.meta, ecolens.reviewer, ecolens.record TO {r};
            GRANT SELECT, INSERT ON ecolens.vocabulary, ecolens.label TO {r};
            GRANT SELECT, INSERT ON ecolens.change TO {r};
            GRANT USAGE ON SEQUENCE ecolens.change_seq_seq TO {r};
            GRANT INSERT ON ecolens.record TO {l};
            GRANT SELECT ON ecolens.fulltext TO {r};
            GRANT INSERT, UPDATE ON ecolens.fulltext TO {l};
            GRANT USAGE ON SEQUENCE ecolens.fulltext_version TO {l};
            GRANT USAGE ON SEQUENCE ecolens.record_hub_id_seq TO {l};
            "
        );
        tx.batch_execute(&schema)
            .map_err(hub_error(&url, "creating the hub's schema"))?;
        let switch = |on: bool| if on { "on" } else { "off" };
        for (key, value) in [
            ("schema_version", "1".to_owned()),
            ("project_id", settings.project_id.clone()),
            ("blind", switch(settings.blind).to_owned()),
            ("leads_see_all", switch(settings.leads_see_all).to_owned()),
            ("epoch", "1".to_owned()),
        ] {
            tx.execute(
                "INSERT INTO ecolens.meta (key, value) VALUES ($1, $2)",
                &[&key, &value],
            )
            .map_err(hub_error(&url, "writing the hub's settings"))?;
        }
        upgrade_in(&mut tx, &url)?;
        let (login, name, password) = lead_login;
        create_login(&mut tx, &url, (login, name, true, password), &lead)?;
        tx.commit()
            .map_err(hub_error(&url, "committing the new hub"))
    }

    /// Brings a hub made by an older ecolens to [`HUB_SCHEMA_VERSION`], in one transaction;
    /// returns the version it had. Only the hub's owner (the connection `hub init` used) may.
    pub fn upgrade(&mut self) -> Result<i64> {
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to upgrade the hub"))?;
        let from = upgrade_in(&mut tx, &url)?;
        tx.commit()
            .map_err(hub_error(&url, "committing the hub's upgrade"))?;
        Ok(from)
    }

    /// The hub's settings; refuses a database that holds no hub or a newer one.
    pub fn settings(&mut self) -> Result<HubSettings> {
        let url = self.url.clone();
        let rows = self
            .prepared("SELECT key, value FROM ecolens.meta")
            .and_then(|statement| self.client.query(&statement, &[]))
            .map_err(|error| {
                if error.code() == Some(&SqlState::UNDEFINED_TABLE) {
                    Error::NotFound {
                        entity: "hub",
                        key: format!(
                            "{} (no ecolens hub in this database: ecolens hub init)",
                            url.place()
                        ),
                    }
                } else {
                    hub_error(&url, "reading the hub's settings")(error)
                }
            })?;
        let mut settings = HubSettings {
            project_id: String::new(),
            blind: true,
            leads_see_all: false,
            epoch: 0,
            schema_version: 0,
            shared: None,
        };
        for row in rows {
            let key: String = row.get(0);
            let value: String = row.get(1);
            match key.as_str() {
                "schema_version" => {
                    let version: i64 = value.parse().unwrap_or(i64::MAX);
                    settings.schema_version = version;
                    if version > HUB_SCHEMA_VERSION {
                        return Err(Error::invalid(
                            "hub.schema_version",
                            value,
                            format!("{HUB_SCHEMA_VERSION} or older: update ecolens"),
                        ));
                    }
                }
                "project_id" => settings.project_id = value,
                "blind" => settings.blind = value != "off",
                "leads_see_all" => settings.leads_see_all = value == "on",
                "epoch" => settings.epoch = value.parse().unwrap_or(0),
                "settings" => {
                    settings.shared = Some(serde_json::from_str(&value).map_err(|e| {
                        Error::invalid("hub.settings", e.to_string(), "a JSON object of texts")
                    })?);
                }
                _ => {}
            }
        }
        Ok(settings)
    }

    /// The login this connection acts as.
    pub fn login(&mut self) -> Result<String> {
        Ok(self
            .prepared("SELECT current_user::text")
            .and_then(|statement| self.client.query_one(&statement, &[]))
            .map_err(hub_error(&self.url, "reading the login"))?
            .get(0))
    }

    /// Every reviewer, removed ones included.
    pub fn reviewers(&mut self) -> Result<Vec<HubReviewer>> {
        let rows = self
            .prepared(
                "SELECT login, name, is_lead, removed_at IS NOT NULL FROM ecolens.reviewer ORDER BY created_at, login",
            )
            .and_then(|statement| self.client.query(&statement, &[]))
            .map_err(hub_error(&self.url, "reading the hub's reviewers"))?;
        Ok(rows
            .into_iter()
            .map(|row| HubReviewer {
                login: row.get(0),
                name: row.get(1),
                is_lead: row.get(2),
                removed: row.get(3),
            })
            .collect())
    }

    /// Creates a reviewer's login with `password` (the owner's connection). The login must be
    /// new to the server: PostgreSQL's roles are shared by all its databases.
    pub fn add_reviewer(
        &mut self,
        login: &str,
        name: &str,
        is_lead: bool,
        password: &str,
    ) -> Result<()> {
        let group = self.group(if is_lead { "lead" } else { "reviewer" })?;
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to add a reviewer"))?;
        create_login(&mut tx, &url, (login, name, is_lead, password), &group)?;
        tx.commit()
            .map_err(hub_error(&url, "committing the new reviewer"))
    }

    /// Removes a reviewer: their login can no longer connect or push, their sessions end, and
    /// their past work stays.
    pub fn remove_reviewer(&mut self, login: &str) -> Result<()> {
        validate_login(login)?;
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to remove a reviewer"))?;
        let changed = tx
            .execute(
                "UPDATE ecolens.reviewer SET removed_at = now() WHERE login = $1 AND removed_at IS NULL",
                &[&login],
            )
            .map_err(hub_error(&url, "removing the reviewer"))?;
        if changed == 0 {
            return Err(Error::NotFound {
                entity: "reviewer on the hub",
                key: login.to_owned(),
            });
        }
        let (reviewer, lead) = (
            group_of(&mut tx, "reviewer", &url)?,
            group_of(&mut tx, "lead", &url)?,
        );
        tx.batch_execute(&format!(
            "ALTER ROLE {0} NOLOGIN; REVOKE {1} FROM {0}; REVOKE {2} FROM {0};",
            ident(login),
            ident(&reviewer),
            ident(&lead)
        ))
        .map_err(hub_error(&url, "taking the login's rights"))?;
        tx.commit()
            .map_err(hub_error(&url, "committing the removal"))?;
        // Sessions already open would keep their rights until they end.
        let _ = self.client.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
            &[&login],
        );
        Ok(())
    }

    /// Whether the server has this login already (for any of its databases).
    pub fn login_taken(&mut self, login: &str) -> Result<bool> {
        Ok(self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&login],
            )
            .map_err(hub_error(&self.url, "looking for the login"))?
            .get(0))
    }

    /// A login for `name` the server does not have yet: the name's own (`ann_smith`), else
    /// with the database's name, else numbered.
    pub fn free_login(&mut self, name: &str) -> Result<String> {
        let base = login_for(name);
        let db: String = login_for(self.url.database());
        let mut candidates = vec![base.clone(), format!("{base}_{db}")];
        candidates.extend((2..100).map(|n| format!("{base}{n}")));
        for candidate in candidates {
            let mut candidate = candidate;
            candidate.truncate(63);
            if !self.login_taken(&candidate)? {
                return Ok(candidate);
            }
        }
        Err(Error::invalid(
            "hub.login",
            base,
            "a login this server does not have yet: choose one with --login",
        ))
    }

    /// Switches blind mode or leads-see-all (a lead's login); returns the new epoch.
    pub fn set_switch(&mut self, setting: &str, on: bool) -> Result<i64> {
        let value = if on { "on" } else { "off" };
        Ok(self
            .client
            .query_one("SELECT ecolens.set_switch($1, $2)", &[&setting, &value])
            .map_err(hub_error(&self.url, "changing a hub setting"))?
            .get(0))
    }

    /// Writes the project's other settings (a lead's login).
    pub fn set_shared_settings(
        &mut self,
        shared: &std::collections::BTreeMap<String, String>,
    ) -> Result<()> {
        let content = serde_json::to_string(shared)
            .map_err(|e| Error::invalid("hub.settings", e.to_string(), "serialisable"))?;
        self.client
            .execute("SELECT ecolens.set_settings($1)", &[&content])
            .map_err(hub_error(&self.url, "changing the hub's settings"))?;
        Ok(())
    }

    /// Adds records with their sources (a lead's login, or the owner); returns their hub ids
    /// in order, in one transaction.
    pub fn add_records(&mut self, records: &[(Record, Vec<SourceRef>)]) -> Result<Vec<i64>> {
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to share records"))?;
        let statement = tx
            .prepare(
                "INSERT INTO ecolens.record (content, sources) VALUES ($1, $2) RETURNING hub_id",
            )
            .map_err(hub_error(&url, "sharing records"))?;
        let mut ids = Vec::with_capacity(records.len());
        for (record, sources) in records {
            let content = serde_json::to_value(record)
                .map_err(|e| Error::invalid("record", e.to_string(), "a serialisable record"))?;
            let sources = serde_json::to_value(sources)
                .map_err(|e| Error::invalid("record", e.to_string(), "serialisable sources"))?;
            ids.push(
                tx.query_one(&statement, &[&content, &sources])
                    .map_err(hub_error(&url, "sharing a record"))?
                    .get(0),
            );
        }
        tx.commit()
            .map_err(hub_error(&url, "committing the shared records"))?;
        Ok(ids)
    }

    /// Every vocabulary the hub holds, with its entries.
    pub fn vocabularies(&mut self) -> Result<Vec<SharedVocabulary>> {
        let url = self.url.clone();
        let heads = self
            .prepared("SELECT id, name, description FROM ecolens.vocabulary ORDER BY id")
            .and_then(|statement| self.client.query(&statement, &[]))
            .map_err(hub_error(&url, "reading vocabularies"))?;
        let labels = self
            .prepared("SELECT vocabulary, content FROM ecolens.label ORDER BY vocabulary, code")
            .and_then(|statement| self.client.query(&statement, &[]))
            .map_err(hub_error(&url, "reading vocabularies"))?;
        let mut out: Vec<SharedVocabulary> = heads
            .into_iter()
            .map(|row| SharedVocabulary {
                id: row.get(0),
                name: row.get(1),
                description: row.get(2),
                labels: Vec::new(),
            })
            .collect();
        for row in labels {
            let vocabulary: String = row.get(0);
            let content: Value = row.get(1);
            let label: ProjectLabel = serde_json::from_value(content).map_err(|e| {
                Error::invalid(
                    format!("hub label of {vocabulary}"),
                    e.to_string(),
                    "a label",
                )
            })?;
            if let Some(v) = out.iter_mut().find(|v| v.id == vocabulary) {
                v.labels.push(label);
            }
        }
        Ok(out)
    }

    /// Adds vocabularies and entries the hub lacks (one already there is left as it is), in
    /// one transaction.
    pub fn add_vocabularies(&mut self, vocabularies: &[SharedVocabulary]) -> Result<()> {
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to share vocabularies"))?;
        for vocabulary in vocabularies {
            tx.execute(
                "INSERT INTO ecolens.vocabulary (id, name, description) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
                &[&vocabulary.id, &vocabulary.name, &vocabulary.description],
            )
            .map_err(hub_error(&url, "sharing a vocabulary"))?;
            for label in &vocabulary.labels {
                let content = serde_json::to_value(label)
                    .map_err(|e| Error::invalid("label", e.to_string(), "a label"))?;
                tx.execute(
                    "INSERT INTO ecolens.label (vocabulary, code, content) VALUES ($1, $2, $3)
                     ON CONFLICT (vocabulary, code) DO NOTHING",
                    &[&vocabulary.id, &label.code, &content],
                )
                .map_err(hub_error(&url, "sharing a label"))?;
            }
        }
        tx.commit()
            .map_err(hub_error(&url, "committing vocabularies"))
    }

    /// Shares the metadata of full texts, by hub id (a lead's login); a newer one replaces an
    /// older one of the same record.
    pub fn share_full_texts(&mut self, texts: &[(i64, SharedFullText)]) -> Result<()> {
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(hub_error(&url, "starting to share full texts"))?;
        // Serialised like pushes, so a reader's version cursor never skips a row.
        tx.execute("SELECT pg_advisory_xact_lock(7206516)", &[])
            .map_err(hub_error(&url, "waiting for other shares"))?;
        for (hub_id, text) in texts {
            tx.execute(
                "INSERT INTO ecolens.fulltext (hub_id, file, pages, chars, text_sha256)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (hub_id) DO UPDATE SET file = excluded.file, pages = excluded.pages,
                   chars = excluded.chars, text_sha256 = excluded.text_sha256,
                   held_by = current_user, shared_at = now(),
                   version = nextval('ecolens.fulltext_version')",
                &[
                    hub_id,
                    &text.file,
                    &text.pages,
                    &text.chars,
                    &text.text_sha256,
                ],
            )
            .map_err(hub_error(&url, "sharing a full text's metadata"))?;
        }
        tx.commit()
            .map_err(hub_error(&url, "committing full texts' metadata"))
    }

    /// The metadata of the full texts shared or changed after `version`, by hub id, with the
    /// last version read.
    pub fn full_texts_after(&mut self, version: i64) -> Result<(Vec<(i64, SharedFullText)>, i64)> {
        let rows = self
            .prepared(
                "SELECT hub_id, file, pages, chars, text_sha256, held_by, version FROM ecolens.fulltext
                 WHERE version > $1 ORDER BY version",
            )
            .and_then(|statement| self.client.query(&statement, &[&version]))
            .map_err(hub_error(&self.url, "reading full texts' metadata"))?;
        let last = rows.last().map_or(version, |row| row.get(6));
        let texts = rows
            .into_iter()
            .map(|row| {
                (
                    row.get(0),
                    SharedFullText {
                        file: row.get(1),
                        pages: row.get(2),
                        chars: row.get(3),
                        text_sha256: row.get(4),
                        held_by: row.get(5),
                    },
                )
            })
            .collect();
        Ok((texts, last))
    }

    /// Records after hub id `after`, in order, with their sources.
    pub fn records_after(&mut self, after: i64) -> Result<Vec<SharedRecord>> {
        let rows = self
            .prepared(
                "SELECT hub_id, content, sources FROM ecolens.record WHERE hub_id > $1 ORDER BY hub_id",
            )
            .and_then(|statement| self.client.query(&statement, &[&after]))
            .map_err(hub_error(&self.url, "reading shared records"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i64 = row.get(0);
            let content: Value = row.get(1);
            let record: Record = serde_json::from_value(content).map_err(|e| {
                Error::invalid(
                    format!("hub record {id}"),
                    e.to_string(),
                    "an ecolens record",
                )
            })?;
            let sources: Value = row.get(2);
            let sources: Vec<SourceRef> = serde_json::from_value(sources).map_err(|e| {
                Error::invalid(format!("hub record {id}.sources"), e.to_string(), "sources")
            })?;
            out.push(SharedRecord {
                hub_id: id,
                record,
                sources,
            });
        }
        Ok(out)
    }

    /// Pushes changes in one transaction, as this login; a change already on the hub (same
    /// uid) is skipped. Returns how many were new. Pushes are serialised, so the order of
    /// `seq` is the order of commits and a puller's cursor never skips a row.
    pub fn push(&mut self, changes: &[HubChange]) -> Result<u64> {
        let mut uids = Vec::with_capacity(changes.len());
        let mut kinds = Vec::with_capacity(changes.len());
        let mut references = Vec::with_capacity(changes.len());
        let mut items = Vec::with_capacity(changes.len());
        for change in changes {
            uids.push(change.uid.as_str());
            kinds.push(change.kind.as_str());
            references.push(serde_json::to_value(&change.record).map_err(|e| {
                Error::invalid("change.record", e.to_string(), "a record reference")
            })?);
            items.push(&change.item);
        }
        // One statement, its own transaction, one round trip. The lock is taken in a CTE,
        // which PostgreSQL materialises (it calls a volatile function) and reads before the
        // first row is numbered: no `seq` is drawn before the lock is held, and the lock is
        // released by the statement's commit. A round trip per change, or BEGIN, a lock, the
        // insert and COMMIT apart, would cost more than the inserts.
        let url = self.url.clone();
        self.prepared(
            "WITH serialised AS (SELECT pg_advisory_xact_lock(7206515))
             INSERT INTO ecolens.change (uid, kind, record_ref, item)
             SELECT pushed.* FROM serialised,
                 unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[]) AS pushed
             ON CONFLICT (uid) DO NOTHING",
        )
        .and_then(|statement| {
            self.client
                .execute(&statement, &[&uids, &kinds, &references, &items])
        })
        .map_err(hub_error(&url, "pushing changes"))
    }

    /// The changes after `seq` that this login may see, in order, at most `limit`.
    pub fn changes_after(&mut self, seq: i64, limit: i64) -> Result<Vec<PulledChange>> {
        let rows = self
            .prepared(
                "SELECT seq, author, uid, kind, record_ref, item FROM ecolens.change
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .and_then(|statement| self.client.query(&statement, &[&seq, &limit]))
            .map_err(hub_error(&self.url, "pulling changes"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.get(0);
            let reference: Value = row.get(4);
            let record: RecordRef = serde_json::from_value(reference).map_err(|e| {
                Error::invalid(
                    format!("hub change {seq}.record_ref"),
                    e.to_string(),
                    "a record reference",
                )
            })?;
            out.push(PulledChange {
                seq,
                author: row.get(1),
                change: HubChange {
                    uid: row.get(2),
                    kind: row.get(3),
                    record,
                    item: row.get(5),
                },
            });
        }
        Ok(out)
    }

    /// Changes by logins other than `except`, and how many of them repeat another's author,
    /// kind and record (a benchmark's check that nothing was doubled; the owner sees all).
    pub fn tally(&mut self, except: &str) -> Result<(i64, i64)> {
        let row = self
            .client
            .query_one(
                "SELECT count(*), count(*) - count(DISTINCT (author, kind, record_ref->>'title_key'))
                 FROM ecolens.change WHERE author <> $1",
                &[&except],
            )
            .map_err(hub_error(&self.url, "counting changes"))?;
        Ok((row.get(0), row.get(1)))
    }
}

/// Creates a reviewer's login in `group` and their row, inside `tx`. A login the server has
/// already (for another hub, or anyone) is refused: PostgreSQL's logins are shared by all its
/// databases.
fn create_login(
    tx: &mut Transaction<'_>,
    url: &HubUrl,
    (login, name, is_lead, password): (&str, &str, bool, &str),
    group: &str,
) -> Result<()> {
    validate_login(login)?;
    if !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            "hub.password",
            "(hidden)",
            "letters and digits",
        ));
    }
    let taken: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&login],
        )
        .map_err(hub_error(url, "looking for the login"))?
        .get(0);
    if taken {
        return Err(Error::invalid(
            "hub.login",
            login,
            "a login this server does not have yet (its logins are shared by all its databases): choose another with --login",
        ));
    }
    tx.batch_execute(&format!(
        "CREATE ROLE {} LOGIN PASSWORD '{password}' IN ROLE {}",
        ident(login),
        ident(group)
    ))
    .map_err(hub_error(url, "creating the login"))?;
    tx.execute(
        "INSERT INTO ecolens.reviewer (login, name, is_lead) VALUES ($1, $2, $3)",
        &[&login, &name, &is_lead],
    )
    .map_err(hub_error(url, "adding the reviewer"))?;
    Ok(())
}

/// The name of this database's group role `which` (`reviewer` or `lead`).
fn group_of(
    client: &mut impl postgres::GenericClient,
    which: &str,
    url: &HubUrl,
) -> Result<String> {
    let db: String = client
        .query_one("SELECT current_database()", &[])
        .map_err(hub_error(url, "reading the database name"))?
        .get(0);
    Ok(format!("{db}_ecolens_{which}"))
}

/// A PostgreSQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A login ecolens creates: lower-case letters, digits and `_`, starting with a letter, at
/// most 63 bytes (PostgreSQL's limit).
pub fn validate_login(login: &str) -> Result<()> {
    let ok = login.len() <= 63
        && login.starts_with(|c: char| c.is_ascii_lowercase())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "hub.login",
            login,
            "lower-case letters, digits and _, starting with a letter (at most 63)",
        ))
    }
}

/// The login a reviewer's name suggests: lower-case ASCII letters and digits, other
/// characters as `_`.
pub fn login_for(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    // Accents come off first (Müller → muller); what is still not ASCII becomes `_`.
    let mut login: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !login.starts_with(|c: char| c.is_ascii_lowercase()) {
        login.insert_str(0, "r_");
    }
    login.truncate(63);
    login
}

/// A new password: 24 letters and digits from the operating system's generator.
pub fn new_password() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// SHA-256 of an extracted text (hex), as [`SharedFullText::text_sha256`] holds it.
pub fn text_digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(text.as_bytes()))
}

/// Bytes as lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The uid of a change: SHA-256 of its author's login, kind, record and item. The author is
/// part of it: two reviewers casting the same vote on the same record in the same millisecond
/// make two changes, not one.
pub fn change_uid(author: &str, kind: &str, record: &RecordRef, item: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(author.as_bytes());
    hash.update([0]);
    hash.update(kind.as_bytes());
    hash.update([0]);
    hash.update(serde_json::to_string(record).unwrap_or_default().as_bytes());
    hash.update([0]);
    hash.update(item.to_string().as_bytes());
    hex(&hash.finalize())
}

mod tls {
    //! TLS without checking the server's certificate, as libpq's `sslmode=prefer` and
    //! `require` do: the connection is encrypted, and the handshake's signatures are still
    //! checked. rustls offers no such mode of its own, hence this verifier.

    use std::sync::Arc;

    use rustls::DigitallySignedStruct;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use tokio_postgres_rustls::MakeRustlsConnect;

    #[derive(Debug)]
    struct EncryptOnly(Arc<CryptoProvider>);

    impl ServerCertVerifier for EncryptOnly {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    pub(super) fn connector() -> Result<MakeRustlsConnect, rustls::Error> {
        // ring rather than aws-lc-rs: it builds with a C compiler alone (no cmake), and a lab
        // hub does not need post-quantum key exchange, which is what the deprecation is about.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_in_both_forms() {
        assert_eq!(
            redact("postgres://ann:s3cret@lab:5432/review"),
            "postgres://ann:***@lab:5432/review"
        );
        assert_eq!(
            redact("host=lab user=ann password=s3cret dbname=review"),
            "host=lab user=ann password=*** dbname=review"
        );
    }

    #[test]
    fn url_parts_and_a_url_for_another_login() {
        let url = HubUrl::parse("url", "postgres://lead:pw@127.0.0.1:5544/review").unwrap();
        assert_eq!(url.user(), "lead");
        assert_eq!(url.place(), "127.0.0.1:5544/review");
        assert_eq!(
            url.for_login("ann", "abc"),
            "postgres://ann:abc@127.0.0.1:5544/review"
        );
        let err = HubUrl::parse("url", "postgres://lead@host").unwrap_err();
        assert!(err.to_string().contains("names the database"), "{err}");
    }

    /// Two reviewers casting the same vote on the same record in the same millisecond make
    /// two changes (the benchmark lost 64 of 10,000 votes when the uid left the author out).
    #[test]
    fn equal_votes_of_two_reviewers_are_two_changes() {
        let record = RecordRef {
            doi: Some("10.1/x".into()),
            pmid: None,
            arxiv: None,
            title: "T".into(),
            title_key: "t".into(),
            year: Some(2024),
        };
        let item = serde_json::json!({"record": 0, "stage": "tiab", "decision": "exclude",
                                      "decided_at": "2026-12-07T03:50:19.123Z"});
        let ann = change_uid("ann", "vote", &record, &item);
        assert_ne!(ann, change_uid("bob", "vote", &record, &item));
        assert_eq!(ann, change_uid("ann", "vote", &record, &item));
        assert_ne!(ann, change_uid("ann", "label", &record, &item));
    }

    #[test]
    fn logins_from_names() {
        assert_eq!(login_for("Ann Smith"), "ann_smith");
        assert_eq!(login_for("2nd"), "r_2nd");
        assert_eq!(login_for("Lena Ü"), "lena_u");
        assert_eq!(login_for("José Müller"), "jose_muller");
        assert!(validate_login("ann_smith").is_ok());
        assert!(validate_login("Ann").is_err());
        assert!(validate_login("a\"; DROP").is_err());
        assert_eq!(new_password().len(), 24);
    }
}
