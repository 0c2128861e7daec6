//! Where the process's log lines go and how they read: `tracing` events to stderr, filtered by
//! `RUST_LOG` (default: flowgate's own at `info`). The App writes one JSON object a line, its
//! span fields (`delivery`, `repo`, `pr`, `installation`, `worker`) beside the event's, unless
//! `FLOWGATE_LOG_FORMAT=text`; the CLI writes `flowgate: MESSAGE`, as it always has.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The filter when `RUST_LOG` is unset or unreadable: flowgate's events from `info` up, other
/// crates' warnings for the App and nothing of theirs for the CLI, whose stderr is for a person.
const APP_DEFAULT: &str = "warn,flowgate=info";
const CLI_DEFAULT: &str = "off,flowgate=info";

/// Who reads the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// `flowgate serve`: a log collector, unless `FLOWGATE_LOG_FORMAT=text` asks for people.
    App,
    /// Every other command: a person at a terminal or a CI log.
    Cli,
}

/// Installs the subscriber for the process. Called once, before any command runs.
pub fn init(audience: Audience) {
    let default = if audience == Audience::App { APP_DEFAULT } else { CLI_DEFAULT };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let text = std::env::var("FLOWGATE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("text"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second subscriber (never expected) is refused, and the first keeps working.
    let _ = match (audience, text) {
        (Audience::Cli, _) => builder.event_format(Plain).try_init(),
        (Audience::App, true) => builder.try_init(),
        (Audience::App, false) => builder.fmt_fields(JsonFields::new()).event_format(FlatJson).try_init(),
    };
}

/// `flowgate: MESSAGE`, with `warning: ` or `error: ` after the colon for those levels and the
/// event's other fields after the message: what the CLI has always printed.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let level = match *event.metadata().level() {
            Level::ERROR => "error: ",
            Level::WARN => "warning: ",
            Level::INFO => "",
            Level::DEBUG => "debug: ",
            Level::TRACE => "trace: ",
        };
        let mut fields = Fields::default();
        event.record(&mut fields);
        write!(writer, "flowgate: {level}{}", fields.message)?;
        for (name, value) in &fields.others {
            write!(writer, " {name}={}", plain_value(value))?;
        }
        writeln!(writer)
    }
}

fn plain_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One JSON object a line: `timestamp`, `level`, `target`, `span` (the innermost span's name),
/// every enclosing span's fields from the outermost in, then the event's fields and `message`.
struct FlatJson;

impl<S, N> FormatEvent<S, N> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut line = serde_json::Map::new();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        line.insert("timestamp".into(), now.into());
        line.insert("level".into(), event.metadata().level().as_str().into());
        line.insert("target".into(), event.metadata().target().into());
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                line.insert("span".into(), span.name().into());
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<N>>() else { continue };
                if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(fields.as_str()) {
                    line.extend(fields);
                }
            }
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        line.extend(fields.others);
        line.insert("message".into(), fields.message.into());
        writeln!(writer, "{}", serde_json::Value::Object(line))
    }
}

/// An event's fields: its message, and the others by name in the order given.
#[derive(Default)]
struct Fields {
    message: String,
    others: serde_json::Map<String, serde_json::Value>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
        } else {
            self.others.insert(field.name().into(), value);
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer that keeps what the subscriber wrote.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn the_app_writes_one_flat_json_object_a_line_with_its_spans_fields() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .fmt_fields(JsonFields::new())
            .event_format(FlatJson)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let work = tracing::info_span!("work", delivery = "d-1", repo = "o/r", pr = 7_i64);
            let _in = work.enter();
            tracing::info!(outcome = "done", "evaluated");
        });
        let line: serde_json::Value = serde_json::from_str(out.text().trim()).expect("one JSON line");
        assert_eq!(line["message"], "evaluated");
        assert_eq!(line["level"], "INFO");
        assert_eq!((&line["delivery"], &line["repo"], &line["pr"]), (&"d-1".into(), &"o/r".into(), &7.into()));
        assert_eq!((&line["outcome"], &line["span"]), (&"done".into(), &"work".into()));
    }

    #[test]
    fn the_cli_writes_what_it_always_wrote() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).event_format(Plain).finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("policy: {}", "examples/flowgate.yml");
            tracing::warn!("tiers.owners is empty");
            tracing::info!(path = "a b", "wrote it");
        });
        assert_eq!(
            out.text(),
            "flowgate: policy: examples/flowgate.yml\nflowgate: warning: tiers.owners is empty\nflowgate: wrote it path=a b\n"
        );
    }
}
