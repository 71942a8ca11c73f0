//! `sozialatlas user`: the first administrator from the command line, listing, roles; bad
//! input is refused with exit code 2 and a message naming the option.

use crate::common::*;

#[test]
fn first_admin_list_and_roles() {
    let (_dir, db) = built("flensburg", "fl.db");
    let d = db.to_str().unwrap();

    let add = |email: &str, name: &str, role: &str, pw: &str| {
        run_with_stdin(
            &[
                "user",
                "add",
                "--db",
                d,
                "--email",
                email,
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
            &format!("{pw}\n"),
        )
    };
    let role = |op: &str, email: &str, role: &str| {
        run(&["user", "role", op, "--db", d, "--email", email, role])
    };
    let r = add(
        "Admin@Stadt.example",
        "Anna Admin",
        "admin",
        "ein sicheres passwort",
    );
    r.says("created account 1 for Admin@Stadt.example (roles: admin, participant)");

    // Taken (case-insensitively), short password, bad address, unknown role: exit 2, named.
    let r = add(
        "admin@stadt.example",
        "Zweite",
        "admin",
        "ein sicheres passwort",
    );
    r.refused("--email: an account with this address exists already");
    let r = add("p@stadt.example", "Planung", "process-manager", "kurz");
    r.refused("--password: at least 10 characters");
    let r = add(
        "kein-at",
        "Planung",
        "process-manager",
        "ein sicheres passwort",
    );
    r.refused("--email:");
    let r = add(
        "p@stadt.example",
        "Planung",
        "kaiser",
        "ein sicheres passwort",
    );
    r.refused("unknown role `kaiser`");
    let r = run(&["user", "list", "--db", "/nonexistent/x.db"]);
    r.refused("/nonexistent/x.db: no such store");

    let r = add(
        "p@stadt.example",
        "Planung",
        "process-manager,moderator",
        "ein sicheres passwort",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = role("add", "P@stadt.example", "reviewer");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("role reviewer granted"));
    let r = role("remove", "p@stadt.example", "moderator");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The last administrator keeps the role.
    let r = role("remove", "admin@stadt.example", "admin");
    r.refused("last active administrator");

    let r = run(&["user", "list", "--db", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        lines[1].contains("active")
            && lines[1].contains("admin,participant")
            && lines[1].contains("Anna Admin")
    );
    assert!(
        lines[2].contains("process-manager,reviewer,participant"),
        "{}",
        lines[2]
    );
    assert!(!lines[2].contains("moderator"));
}
