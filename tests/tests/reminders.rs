//! The day's reminder through the command layer against a real `keebai-server demo`, whose
//! developer has "n8n nightly sync" expiring in 5 days and "Zapier production" (200 days old)
//! and "CRM import" (150 days old) due for rotation: the badge's list, one notification a
//! day (also across launches, and with two syncs at once), the setting that turns it off, a
//! notification service that is not there, and a reminder from the cache with the server down.
//!
//! The notification service is the one thing replaced here ([`Notifier`], the seam the app's
//! set-up fills with the desktop's): these tests look at what the app asks it to show and
//! when. The real service, and a click on the notification, are in `reminder_window.rs`.

use std::sync::{Arc, Mutex};

use chrono::Local;
use keebai_e2e::{app_signed_in, DemoServer, DEVELOPER};
use keebai_keys::app_service::AppService;
use keebai_keys::dto::TokenListView;
use keebai_keys::notifier::Notifier;
use keebai_keys::settings::SettingsFile;

/// What the app asked the notification service to show; refuses while `down` is set.
#[derive(Default)]
struct Shown {
    notes: Mutex<Vec<(String, String, &'static str)>>,
    down: Mutex<bool>,
    /// How long showing takes (a slow notification service).
    takes: Mutex<std::time::Duration>,
}

impl Notifier for Shown {
    fn notify(&self, title: &str, body: &str, open_path: &'static str) -> Result<(), String> {
        std::thread::sleep(*self.takes.lock().expect("lock"));
        if *self.down.lock().expect("lock") {
            return Err("org.freedesktop.Notifications was not provided by any service".into());
        }
        self.notes
            .lock()
            .expect("lock")
            .push((title.to_owned(), body.to_owned(), open_path));
        Ok(())
    }
}

impl Shown {
    fn count(&self) -> usize {
        self.notes.lock().expect("lock").len()
    }
}

fn names(list: &TokenListView, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            list.tokens
                .iter()
                .find(|t| &t.id == id)
                .expect("listed")
                .name
                .clone()
        })
        .collect()
}

/// A new launch of the app on the same data folder, signed in again.
async fn relaunch(server: &DemoServer, dir: &std::path::Path, shown: &Arc<Shown>) -> AppService {
    let vault = Arc::new(keebai_keys::session_vault::MemoryVault::default());
    let app = AppService::new(dir, vault, None).expect("service");
    app.set_notifier(shown.clone());
    app.sign_in(keebai_keys::app_service::SignIn {
        server: server.url.clone(),
        tenant: keebai_e2e::TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
        password: keebai_api::wire::Password::new(DEVELOPER.1),
    })
    .await
    .expect("sign in");
    app
}

async fn signed_in_with(
    server: &DemoServer,
    shown: &Arc<Shown>,
) -> (AppService, tempfile::TempDir) {
    let (app, dir) = app_signed_in(server, DEVELOPER).await;
    app.set_notifier(shown.clone());
    (app, dir)
}

#[tokio::test]
async fn one_reminder_a_day_of_what_expires_or_is_due_and_a_setting_turns_it_off() {
    let server = DemoServer::demo();
    let shown = Arc::new(Shown::default());
    let (app, dir) = signed_in_with(&server, &shown).await;

    let list = app.list_tokens().await.expect("list");
    assert!(!list.offline);
    assert_eq!(names(&list, &list.attention.expiring), ["n8n nightly sync"]);
    assert_eq!(
        names(&list, &list.attention.due_for_rotation),
        ["Zapier production", "CRM import"],
        "most overdue first; revoked, expired and rotated-away tokens need nothing"
    );
    assert_eq!(list.attention.count, 3);
    {
        let notes = shown.notes.lock().expect("lock");
        assert_eq!(notes.len(), 1);
        let (title, body, path) = &notes[0];
        assert_eq!(title, "3 API keys need attention");
        assert_eq!(
            body,
            "1 expires within 7 days, 2 are due for rotation. Open Keebai Keys to see which."
        );
        assert_eq!(
            *path, "/rotation",
            "it opens the app on Rotation, no outside link"
        );
        for t in &list.tokens {
            assert!(!body.contains(&t.name) && !body.contains(&t.prefix));
        }
    }
    let settings = SettingsFile::in_dir(dir.path());
    assert_eq!(settings.load().reminded_on, Some(Local::now().date_naive()));

    // The next sync the same day: the badge's list again, no second notification.
    let again = app.list_tokens().await.expect("list");
    assert_eq!(again.attention, list.attention);
    assert_eq!(shown.count(), 1, "at most once a day");

    // A new launch the same day remembers it (the day is in settings.json).
    drop(app);
    let relaunched = relaunch(&server, dir.path(), &shown).await;
    relaunched.list_tokens().await.expect("list");
    assert_eq!(shown.count(), 1, "one a day across launches too");
    drop(relaunched);

    // The next day (the saved day is yesterday's): one more.
    let mut s = settings.load();
    s.reminded_on = Local::now().date_naive().pred_opt();
    settings.save(&s).expect("save");
    let app = relaunch(&server, dir.path(), &shown).await;

    // Turned off first: no notification, the badge's list stays.
    assert!(!app.set_reminders(false).expect("off"));
    assert!(!app.config().expect("config").reminders);
    let off = app.list_tokens().await.expect("list");
    assert_eq!(
        off.attention.count, 3,
        "the badge does not depend on the setting"
    );
    assert_eq!(shown.count(), 1, "turned off");
    assert!(!settings.load().reminders, "the choice is saved");

    assert!(app.set_reminders(true).expect("on"));
    app.list_tokens().await.expect("list");
    assert_eq!(shown.count(), 2, "a new day, reminders on: one more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_at_once_remind_once() {
    let server = DemoServer::demo();
    let shown = Arc::new(Shown::default());
    // Slow to show: the second sync reaches the reminder while the first is still showing it.
    *shown.takes.lock().expect("lock") = std::time::Duration::from_millis(500);
    let (app, _dir) = signed_in_with(&server, &shown).await;
    // A Sync click while a screen loads the list, on two threads, as in the app.
    let app = Arc::new(app);
    let sync = |app: Arc<AppService>| tokio::spawn(async move { app.list_tokens().await });
    let (a, b) = (sync(app.clone()), sync(app.clone()));
    assert_eq!(a.await.expect("task").expect("list").attention.count, 3);
    assert_eq!(b.await.expect("task").expect("list").attention.count, 3);
    assert_eq!(
        shown.count(),
        1,
        "the day is claimed before the notification is shown"
    );
}

#[tokio::test]
async fn a_missing_notification_service_is_tried_again_and_the_cache_reminds_offline() {
    let mut server = DemoServer::demo();
    let shown = Arc::new(Shown::default());
    let (app, dir) = signed_in_with(&server, &shown).await;
    let settings = SettingsFile::in_dir(dir.path());

    *shown.down.lock().expect("lock") = true;
    let list = app
        .list_tokens()
        .await
        .expect("the list does not depend on the notification");
    assert_eq!(list.attention.count, 3);
    assert_eq!(shown.count(), 0);
    assert_eq!(
        settings.load().reminded_on,
        None,
        "a reminder that was not shown is not counted as today's"
    );

    // The server goes away; the service comes back. The cached list still knows what is due.
    *shown.down.lock().expect("lock") = false;
    server.stop();
    let cached = app.list_tokens().await.expect("the cached list");
    assert!(cached.offline);
    assert_eq!(cached.attention, list.attention);
    assert_eq!(shown.count(), 1, "reminded from the cache, offline");
    assert_eq!(settings.load().reminded_on, Some(Local::now().date_naive()));
}
