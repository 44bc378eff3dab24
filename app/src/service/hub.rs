//! The team hub: a lead creates it on a PostgreSQL server and invites reviewers; each reviewer
//! joins with their own login, and their project becomes a working copy that syncs.
//!
//! Logins' connection strings (with their passwords) are kept in a credentials file of the
//! user's own (`hubs.json` in the data directory, readable by its owner only), never in a
//! project file: a project copied to a colleague carries no one's password.

use std::path::{Path, PathBuf};

use ecolens_core::hub::{Hub, HubReviewer, HubSettings, HubUrl, new_password, redact};
use ecolens_core::store::{HubLink, SyncReport};
use ecolens_core::{Project, ReviewerId};
use serde::{Deserialize, Serialize};

use super::project::author;
use super::{Error, Result};

/// One saved connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Saved {
    project_id: String,
    place: String,
    /// `admin` for the owner's connection of `hub init`, else the reviewer login.
    login: String,
    url: String,
}

/// The user's saved hub connections.
#[derive(Debug, Clone)]
pub struct Credentials {
    path: PathBuf,
    saved: Vec<Saved>,
}

impl Credentials {
    /// Reads the file at `path` (none yet: empty).
    pub fn open(path: &Path) -> Result<Self> {
        let saved = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|error| Error::Invalid {
                field: "hub credentials",
                value: format!("{} line {}", path.display(), error.line()),
                expected: "the JSON ecolens writes (delete the file and join again)".to_owned(),
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(Error::Io {
                    action: "cannot read",
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Ok(Self {
            path: path.to_owned(),
            saved,
        })
    }

    fn find(&self, project_id: &str, place: &str, login: &str) -> Option<HubUrl> {
        self.saved
            .iter()
            .find(|s| s.project_id == project_id && s.place == place && s.login == login)
            .and_then(|s| HubUrl::parse("hub credentials", &s.url).ok())
    }

    fn save(&mut self, project_id: &str, login: &str, url: &HubUrl) -> Result<()> {
        let place = url.place();
        self.saved
            .retain(|s| !(s.project_id == project_id && s.place == place && s.login == login));
        self.saved.push(Saved {
            project_id: project_id.to_owned(),
            place,
            login: login.to_owned(),
            url: url.secret_text().to_owned(),
        });
        let text = serde_json::to_string_pretty(&self.saved).map_err(|e| Error::Invalid {
            field: "hub credentials",
            value: e.to_string(),
            expected: "serialisable".to_owned(),
        })?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                action: "cannot create directory",
                path: dir.to_owned(),
                source,
            })?;
        }
        super::write_text(&self.path, &text)?;
        restrict(&self.path)
    }
}

/// Only the file's owner may read it.
#[cfg(unix)]
fn restrict(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
        Error::Io {
            action: "cannot restrict access to",
            path: path.to_owned(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> Result<()> {
    Ok(())
}

/// What `hub init` did.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// `host:port/db`.
    pub place: String,
    /// The lead's login.
    pub login: String,
    /// The first sync (the project's records shared).
    pub sync: SyncReport,
}

/// An invitation: what to send a reviewer.
#[derive(Debug, Clone, Serialize)]
pub struct Invite {
    /// Their name in the project.
    pub name: String,
    /// Their login.
    pub login: String,
    /// Whether a lead.
    pub is_lead: bool,
    /// The connection string to join with (holds the password: send it privately).
    pub url: String,
}

/// A copy's hub status.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The tie, if joined.
    pub link: Option<HubLink>,
    /// Own changes the hub does not have yet.
    pub waiting: usize,
    /// Whether the hub answered now.
    pub online: bool,
    /// Why not, when it did not.
    pub offline_because: Option<String>,
    /// The hub's settings, when it answered.
    pub settings: Option<HubSettings>,
    /// The hub's reviewers, when it answered.
    pub reviewers: Vec<HubReviewer>,
    /// Records whose full text a lead's copy holds, as last synced.
    pub full_texts_at_hub: i64,
    /// Changes pulled that wait to be valid here.
    pub parked: usize,
}

fn project_id(project: &Project) -> Result<String> {
    Ok(project.meta("project_id")?.unwrap_or_default())
}

/// Creates a hub in an empty PostgreSQL database from this project, as its owner (`admin`:
/// a login that may create roles), with `lead` as its first lead: their login is created, this
/// project becomes the lead's working copy, and its records are shared.
pub fn init(
    project: &mut Project,
    credentials: &mut Credentials,
    admin: &str,
    lead: Option<ReviewerId>,
    login: Option<&str>,
) -> Result<Created> {
    let lead = require_lead(project, lead, "creating a hub", "create a hub")?;
    if let Some(link) = project.hub_link()? {
        return Err(already_joined(&link));
    }
    let admin = HubUrl::parse("hub URL", admin)?;
    let mut hub = Hub::connect(&admin)?;
    let settings = project.review_settings()?;
    let id = project_id(project)?;
    let login = match login {
        Some(login) => login.to_owned(),
        None => hub.free_login(&lead.name)?,
    };
    let password = new_password();
    hub.init(
        &HubSettings {
            project_id: id.clone(),
            blind: settings.blind,
            leads_see_all: settings.leads_see_all,
            epoch: 1,
            schema_version: ecolens_core::hub::HUB_SCHEMA_VERSION,
            shared: None,
        },
        (&login, &lead.name, &password),
    )?;
    let mine = HubUrl::parse("hub URL", &admin.for_login(&login, &password))?;
    credentials.save(&id, "admin", &admin)?;
    credentials.save(&id, &login, &mine)?;
    project.link_hub(&admin.place(), &login, &lead.name, &id)?;
    let sync = sync_with(project, &mine)?;
    Ok(Created {
        place: admin.place(),
        login,
        sync,
    })
}

/// A project joined to a hub already.
fn already_joined(link: &HubLink) -> Error {
    ecolens_core::Error::AlreadyExists {
        entity: "hub",
        key: format!(
            "{} (this project has joined it as {})",
            link.place, link.login
        ),
    }
    .into()
}

/// The reviewer at the keyboard, who must be named (`needs`) and a lead (`action`).
fn require_lead(
    project: &Project,
    lead: Option<ReviewerId>,
    needs: &'static str,
    action: &'static str,
) -> Result<ecolens_core::Reviewer> {
    let lead = project.reviewer(author(lead, needs)?)?;
    if !lead.is_lead {
        return Err(ecolens_core::Error::NotLead {
            action,
            reviewer: lead.name,
        }
        .into());
    }
    Ok(lead)
}

fn admin_url(project: &Project, credentials: &Credentials) -> Result<(HubLink, HubUrl)> {
    let link = require_link(project)?;
    let id = project_id(project)?;
    let url = credentials
        .find(&id, &link.place, "admin")
        .ok_or_else(|| Error::Invalid {
            field: "hub",
            value: link.place.clone(),
            expected: "the hub's owner connection saved by `ecolens hub init` on this machine (run it where the hub was created)".to_owned(),
        })?;
    Ok((link, url))
}

fn require_link(project: &Project) -> Result<HubLink> {
    project.hub_link()?.ok_or_else(|| {
        ecolens_core::Error::NotFound {
            entity: "hub",
            key: "(this project has not joined one: ecolens hub join URL)".to_owned(),
        }
        .into()
    })
}

/// Invites a reviewer (a lead, from the machine where the hub was created): their login is
/// made with a new password, they are added here if new, and the invitation says how to join.
pub fn add_reviewer(
    project: &mut Project,
    credentials: &Credentials,
    lead: Option<ReviewerId>,
    name: &str,
    is_lead: bool,
    login: Option<&str>,
) -> Result<Invite> {
    require_lead(project, lead, "inviting a reviewer", "invite a reviewer")?;
    let (_, admin) = admin_url(project, credentials)?;
    let password = new_password();
    let mut hub = Hub::connect(&admin)?;
    let login = match login {
        Some(login) => login.to_owned(),
        None => hub.free_login(name)?,
    };
    if hub.reviewers()?.iter().any(|r| r.name == name) {
        return Err(Error::Invalid {
            field: "reviewer",
            value: name.to_owned(),
            expected: "a name the hub does not have yet (ecolens hub status lists its reviewers)"
                .to_owned(),
        });
    }
    hub.add_reviewer(&login, name, is_lead, &password)?;
    if !project.reviewers()?.iter().any(|r| r.name == name) {
        project.add_reviewer(name, is_lead)?;
    }
    Ok(Invite {
        name: name.to_owned(),
        login: login.clone(),
        is_lead,
        url: admin.for_login(&login, &password),
    })
}

/// A hub's schema before and after [`upgrade`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Upgrade {
    /// The version it had.
    pub from: i64,
    /// The version it has.
    pub to: i64,
}

/// Brings the hub of this (lead's) copy to this build's schema, with the owner's connection
/// saved by `init`.
pub fn upgrade(project: &Project, credentials: &Credentials) -> Result<Upgrade> {
    let (_, admin) = admin_url(project, credentials)?;
    let from = Hub::connect(&admin)?.upgrade()?;
    Ok(Upgrade {
        from,
        to: ecolens_core::hub::HUB_SCHEMA_VERSION,
    })
}

/// Removes a reviewer from the hub (a lead): their login stops working; their work stays.
pub fn remove_reviewer(
    project: &Project,
    credentials: &Credentials,
    lead: Option<ReviewerId>,
    name: &str,
) -> Result<HubReviewer> {
    require_lead(project, lead, "removing a reviewer", "remove a reviewer")?;
    let (_, admin) = admin_url(project, credentials)?;
    let mut hub = Hub::connect(&admin)?;
    let found = hub
        .reviewers()?
        .into_iter()
        .find(|r| r.name == name || r.login == name)
        .ok_or_else(|| ecolens_core::Error::NotFound {
            entity: "reviewer on the hub",
            key: name.to_owned(),
        })?;
    hub.remove_reviewer(&found.login)?;
    Ok(HubReviewer {
        removed: true,
        ..found
    })
}

/// Joins a hub with one's own login: this project becomes a working copy (a new project takes
/// the hub's id; one holding another project's records is refused) and syncs at once.
pub fn join(project: &mut Project, credentials: &mut Credentials, url: &str) -> Result<SyncReport> {
    let url = HubUrl::parse("hub URL", url)?;
    let mut hub = Hub::connect(&url)?;
    let settings = hub.settings()?;
    let login = hub.login()?;
    let me = hub
        .reviewers()?
        .into_iter()
        .find(|r| r.login == login && !r.removed)
        .ok_or_else(|| ecolens_core::Error::HubRefused {
            action: "joining",
            detail: format!("{login} is not a reviewer of this hub (a lead invites: ecolens hub add-reviewer NAME)"),
        })?;
    if let Some(link) = project.hub_link()?
        && (link.place != url.place() || link.login != login)
    {
        return Err(already_joined(&link));
    }
    project.link_hub(&url.place(), &login, &me.name, &settings.project_id)?;
    credentials.save(&settings.project_id, &login, &url)?;
    drop(hub);
    sync_with(project, &url)
}

/// Syncs this working copy with its hub.
pub fn sync(project: &mut Project, credentials: &Credentials) -> Result<SyncReport> {
    Syncer::default().sync(project, credentials)
}

/// Syncs over one connection kept between syncs (the window's every minute, a benchmark's
/// reviewer): a new connection costs the server a process of its own. A connection that
/// broke is dropped and made again once.
#[derive(Debug, Default)]
pub struct Syncer {
    hub: Option<Hub>,
}

impl Syncer {
    /// Syncs `project` with its hub, connecting when there is no working connection.
    pub fn sync(&mut self, project: &mut Project, credentials: &Credentials) -> Result<SyncReport> {
        let url = saved_url(project, credentials)?;
        if self
            .hub
            .as_ref()
            .is_some_and(|hub| hub.is_closed() || hub.url().secret_text() != url.secret_text())
        {
            self.hub = None;
        }
        let reused = self.hub.is_some();
        let mut hub = match self.hub.take() {
            Some(hub) => hub,
            None => Hub::connect(&url)?,
        };
        match project.sync_hub(&mut hub) {
            Ok(report) => {
                self.hub = Some(hub);
                Ok(report)
            }
            // The kept connection died (the server restarted): once more, afresh.
            Err(ecolens_core::Error::HubUnreachable { .. }) if reused => {
                let mut hub = Hub::connect(&url)?;
                let report = project.sync_hub(&mut hub)?;
                self.hub = Some(hub);
                Ok(report)
            }
            Err(error) => Err(error.into()),
        }
    }
}

fn saved_url(project: &Project, credentials: &Credentials) -> Result<HubUrl> {
    let link = require_link(project)?;
    let id = project_id(project)?;
    credentials
        .find(&id, &link.place, &link.login)
        .ok_or_else(|| Error::Invalid {
            field: "hub",
            value: format!("{}@{}", link.login, link.place),
            expected: "this login's connection saved on this machine: join again with ecolens hub join URL".to_owned(),
        })
}

/// The search index is not touched here: what a sync changes is journalled with it, and the
/// index catches up from the journal when it is next opened (a search, the window's library).
fn sync_with(project: &mut Project, url: &HubUrl) -> Result<SyncReport> {
    let mut hub = Hub::connect(url)?;
    Ok(project.sync_hub(&mut hub)?)
}

/// This copy's tie to its hub, what waits to be pushed, and whether the hub answers now.
pub fn status(project: &Project, credentials: &Credentials) -> Result<Status> {
    let link = project.hub_link()?;
    let waiting = project.hub_waiting()?;
    let mut status = Status {
        link: link.clone(),
        waiting,
        online: false,
        offline_because: None,
        settings: None,
        reviewers: Vec::new(),
        full_texts_at_hub: project.hub_full_texts()?,
        parked: project.hub_parked()?.len(),
    };
    let Some(link) = link else {
        return Ok(status);
    };
    let id = project_id(project)?;
    let Some(url) = credentials.find(&id, &link.place, &link.login) else {
        status.offline_because = Some("no saved connection on this machine".to_owned());
        return Ok(status);
    };
    let answered = Hub::connect(&url).and_then(|mut hub| Ok((hub.settings()?, hub.reviewers()?)));
    match answered {
        Ok((settings, reviewers)) => {
            status.online = true;
            status.settings = Some(settings);
            status.reviewers = reviewers;
        }
        Err(error) => status.offline_because = Some(redact(&error.to_string())),
    }
    Ok(status)
}

/// Switches blind mode or leads-see-all on the hub (a lead's login), then syncs so this copy
/// follows.
pub fn switch(
    project: &mut Project,
    credentials: &Credentials,
    setting: &str,
    on: bool,
) -> Result<SyncReport> {
    let url = saved_url(project, credentials)?;
    let mut hub = Hub::connect(&url)?;
    let login = hub.login()?;
    let me = hub.reviewers()?.into_iter().find(|r| r.login == login);
    if let Some(me) = me.filter(|r| !r.is_lead) {
        // The server refuses too (only leads may call the switch); this says it in words.
        return Err(ecolens_core::Error::NotLead {
            action: "switch blind mode on the hub",
            reviewer: me.name,
        }
        .into());
    }
    hub.set_switch(setting, on)?;
    drop(hub);
    sync_with(project, &url)
}

/// What a sync from the window brings: the report when the hub answered, why not when it did
/// not, and the status after it. Being offline is not a failure here: the window shows it and
/// tries again later.
#[derive(Debug, Clone, Serialize)]
pub struct Synced {
    /// The sync's report, when the hub answered.
    pub report: Option<SyncReport>,
    /// Why there is none.
    pub error: Option<String>,
    /// The copy's status afterwards.
    pub status: Status,
}

/// Syncs when the hub answers (over `syncer`'s kept connection), and says how things stand
/// either way.
pub fn sync_and_status(
    syncer: &mut Syncer,
    project: &mut Project,
    credentials: &Credentials,
) -> Result<Synced> {
    let (report, error) = match syncer.sync(project, credentials) {
        Ok(report) => (Some(report), None),
        Err(
            error @ Error::Core(
                ecolens_core::Error::HubUnreachable { .. }
                | ecolens_core::Error::HubRefused { .. }
                | ecolens_core::Error::Hub { .. },
            ),
        ) => (None, Some(error.to_string())),
        Err(error) => return Err(error),
    };
    let mut status = status(project, credentials)?;
    if let (Some(error), false) = (&error, status.online) {
        status.offline_because = Some(error.clone());
    }
    Ok(Synced {
        report,
        error,
        status,
    })
}

/// Switches a setting on the hub ([`switch`]), then the status.
pub fn switch_and_status(
    project: &mut Project,
    credentials: &Credentials,
    setting: &str,
    on: bool,
) -> Result<Synced> {
    let report = switch(project, credentials, setting, on)?;
    Ok(Synced {
        report: Some(report),
        error: None,
        status: status(project, credentials)?,
    })
}

/// Joins from the window: [`join`], then the status.
pub fn join_and_status(
    project: &mut Project,
    credentials: &mut Credentials,
    url: &str,
) -> Result<Synced> {
    let report = join(project, credentials, url)?;
    Ok(Synced {
        report: Some(report),
        error: None,
        status: status(project, credentials)?,
    })
}
