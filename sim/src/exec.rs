//! pods/exec over WebSocket with the Kubernetes channel protocol (v5/v4.channel.k8s.io),
//! backed by a tiny fake shell.

use crate::error::ApiResult;
use crate::server::Query;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde_json::{Value, json};

const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
/// v5 only: the client closed one of its streams (payload: channel id).
const CLOSE: u8 = 255;

/// What the fake container sees: hostname and environment.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The pod name, as `hostname` prints it.
    pub hostname: String,
    /// Environment variables of the container.
    pub env: Vec<(String, String)>,
}

impl Sandbox {
    fn from_pod(pod: &Value, container: &str) -> Self {
        let hostname = pod["metadata"]["name"]
            .as_str()
            .unwrap_or("pod")
            .to_string();
        let mut env = vec![
            (
                "PATH".to_string(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            ),
            ("HOSTNAME".to_string(), hostname.clone()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let c = pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"].as_str() == Some(container));
        for e in c.and_then(|c| c["env"].as_array()).into_iter().flatten() {
            env.push((
                e["name"].as_str().unwrap_or("").into(),
                e["value"].as_str().unwrap_or("").into(),
            ));
        }
        Sandbox { hostname, env }
    }

    fn file(&self, path: &str) -> Option<String> {
        Some(match path {
            "/etc/hostname" => format!("{}\n", self.hostname),
            "/etc/os-release" => "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME=\"Alpine Linux v3.20\"\n".into(),
            "/etc/hosts" => format!("127.0.0.1\tlocalhost\n10.244.0.10\t{}\n", self.hostname),
            "/etc/resolv.conf" => "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n".into(),
            "/app/config.yaml" => "listen: 0.0.0.0:8080\nlogLevel: info\n".into(),
            _ => return None,
        })
    }

    /// Runs one command line; returns (stdout, stderr, exit code).
    pub fn run(&self, argv: &[String]) -> (String, String, i32) {
        let Some(cmd) = argv.first() else {
            return (String::new(), String::new(), 0);
        };
        let args = &argv[1..];
        let base = cmd.rsplit('/').next().unwrap_or(cmd);
        match base {
            "echo" => (format!("{}\n", args.join(" ")), String::new(), 0),
            "hostname" => (format!("{}\n", self.hostname), String::new(), 0),
            "pwd" => ("/\n".into(), String::new(), 0),
            "whoami" => ("root\n".into(), String::new(), 0),
            "true" => (String::new(), String::new(), 0),
            "false" => (String::new(), String::new(), 1),
            "date" => (
                format!(
                    "{}\n",
                    chrono::Utc::now().format("%a %b %e %H:%M:%S UTC %Y")
                ),
                String::new(),
                0,
            ),
            "env" | "printenv" => (
                self.env.iter().map(|(k, v)| format!("{k}={v}\n")).collect(),
                String::new(),
                0,
            ),
            "ls" => match args
                .iter()
                .find(|a| !a.starts_with('-'))
                .map(String::as_str)
                .unwrap_or("/")
            {
                "/" => (
                    "app\nbin\ndev\netc\nhome\nproc\nroot\ntmp\nusr\nvar\n".into(),
                    String::new(),
                    0,
                ),
                "/etc" | "/etc/" => (
                    "hostname\nhosts\nos-release\nresolv.conf\n".into(),
                    String::new(),
                    0,
                ),
                "/app" | "/app/" => ("config.yaml\n".into(), String::new(), 0),
                p => (
                    String::new(),
                    format!("ls: {p}: No such file or directory\n"),
                    1,
                ),
            },
            "cat" => {
                let (mut out, mut err, mut code) = (String::new(), String::new(), 0);
                for p in args {
                    match self.file(p) {
                        Some(c) => out.push_str(&c),
                        None => {
                            err.push_str(&format!(
                                "cat: can't open '{p}': No such file or directory\n"
                            ));
                            code = 1;
                        }
                    }
                }
                (out, err, code)
            }
            "sh" | "bash" | "ash" if args.first().map(String::as_str) == Some("-c") => {
                let script = args.get(1).cloned().unwrap_or_default();
                self.run_script(&script)
            }
            "exit" => (
                String::new(),
                String::new(),
                args.first().and_then(|a| a.parse().ok()).unwrap_or(0),
            ),
            other => (String::new(), format!("sh: {other}: not found\n"), 127),
        }
    }

    /// Runs `a; b` sequences of simple commands (quotes group words; no pipes).
    pub fn run_script(&self, script: &str) -> (String, String, i32) {
        let (mut out, mut err, mut code) = (String::new(), String::new(), 0);
        for part in script
            .split([';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (o, e, c) = self.run(&split_words(part));
            out.push_str(&o);
            err.push_str(&e);
            code = c;
        }
        (out, err, code)
    }
}

/// Splits a command line into words, honouring single and double quotes.
fn split_words(line: &str) -> Vec<String> {
    let (mut words, mut cur, mut quote, mut any) = (vec![], String::new(), None, false);
    for ch in line.chars() {
        match (quote, ch) {
            (None, '\'' | '"') => {
                quote = Some(ch);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(cur);
    }
    words
}

fn status_json(code: i32, argv: &[String]) -> String {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"}).to_string();
    }
    json!({
        "metadata": {}, "status": "Failure",
        "message": format!("command terminated with non-zero exit code: error executing command {argv:?}, exit code {code}"),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
    .to_string()
}

async fn send(ws: &mut WebSocket, ch: u8, data: &str, tty: bool) -> bool {
    if data.is_empty() {
        return true;
    }
    let data = if tty && ch != ERROR {
        data.replace('\n', "\r\n")
    } else {
        data.to_string()
    };
    let mut frame = Vec::with_capacity(data.len() + 1);
    frame.push(ch);
    frame.extend_from_slice(data.as_bytes());
    ws.send(Message::Binary(frame.into())).await.is_ok()
}

/// Accepts the WebSocket upgrade and runs the command (or an interactive shell when stdin is attached).
pub fn serve(ws: WebSocketUpgrade, pod: Value, q: &Query) -> ApiResult<Response> {
    let argv = q.all("command");
    let first = pod["spec"]["containers"][0]["name"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let container = q.get("container").map(str::to_string).unwrap_or(first);
    let sandbox = Sandbox::from_pod(&pod, &container);
    let (stdin, tty) = (q.flag("stdin"), q.flag("tty"));
    Ok(ws
        .protocols(["v5.channel.k8s.io", "v4.channel.k8s.io"])
        .on_upgrade(move |mut socket| async move {
            let interactive = stdin
                && matches!(
                    argv.first().map(|c| c.rsplit('/').next().unwrap_or(c)),
                    Some("sh" | "bash" | "ash")
                )
                && argv.len() == 1;
            let code = if interactive {
                shell(&mut socket, &sandbox, tty).await
            } else {
                let (out, err, code) = sandbox.run(&argv);
                let _ = send(&mut socket, STDOUT, &out, tty).await
                    && send(&mut socket, if tty { STDOUT } else { STDERR }, &err, tty).await;
                code
            };
            let _ = send(&mut socket, ERROR, &status_json(code, &argv), false).await;
            // A normal-closure code: kubectl treats a close without status (1005) as a broken stream.
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: 1000,
                    reason: "".into(),
                })))
                .await;
            // Read until the client closes too: closing with its frames (a late resize, say)
            // unread would reset the connection, and the client could lose the output and status.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
                while let Some(Ok(_)) = socket.recv().await {}
            })
            .await;
        }))
}

/// Interactive loop: reads stdin frames, echoes when a TTY is attached, runs each line.
async fn shell(ws: &mut WebSocket, sb: &Sandbox, tty: bool) -> i32 {
    let prompt = "/ # ";
    if tty && !send(ws, STDOUT, prompt, tty).await {
        return 0;
    }
    let mut line = String::new();
    while let Some(Ok(msg)) = ws.recv().await {
        let data = match msg {
            Message::Binary(b) => b.to_vec(),
            Message::Text(t) => t.as_bytes().to_vec(),
            Message::Close(_) => return 0,
            _ => continue,
        };
        let Some((&ch, payload)) = data.split_first() else {
            continue;
        };
        if ch == CLOSE && payload.first() == Some(&0) {
            return 0;
        }
        if ch != 0 {
            continue; // resize events and others need no action in a fake shell
        }
        for c in String::from_utf8_lossy(payload).chars() {
            match c {
                '\r' | '\n' => {
                    if tty && !send(ws, STDOUT, "\n", tty).await {
                        return 0;
                    }
                    let words = split_words(&line);
                    line.clear();
                    if words.first().map(String::as_str) == Some("exit") {
                        return words.get(1).and_then(|c| c.parse().ok()).unwrap_or(0);
                    }
                    let (out, err, _) = sb.run(&words);
                    if !send(ws, STDOUT, &out, tty).await
                        || !send(ws, if tty { STDOUT } else { STDERR }, &err, tty).await
                    {
                        return 0;
                    }
                    if tty && !send(ws, STDOUT, prompt, tty).await {
                        return 0;
                    }
                }
                '\u{7f}' | '\u{8}' => {
                    if line.pop().is_some() && tty && !send(ws, STDOUT, "\u{8} \u{8}", false).await
                    {
                        return 0;
                    }
                }
                '\u{4}' => return 0,
                c => {
                    line.push(c);
                    if tty && !send(ws, STDOUT, &c.to_string(), false).await {
                        return 0;
                    }
                }
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_shell_commands() {
        let sb = Sandbox {
            hostname: "web-1".into(),
            env: vec![("A".into(), "b".into())],
        };
        assert_eq!(sb.run(&["echo".into(), "hi".into()]).0, "hi\n");
        assert_eq!(sb.run_script("hostname; echo 'a b'").0, "web-1\na b\n");
        assert_eq!(sb.run(&["nope".into()]).2, 127);
        assert!(sb.run(&["env".into()]).0.contains("A=b\n"));
    }
}
