//! A small route table: path patterns made of literal segments and `{id}` segments
//! (a decimal `u64`), each with a method and a handler. One table answers dispatch,
//! `405 Method Not Allowed` with its `Allow` list, and `OPTIONS`, so they cannot drift
//! apart. Every `/api/…` path is also served as `/api/v1/…` (the same handlers).
//! Pure: no I/O, unit-tested here.

use hyper::Method;

/// The prefix of the versioned API; `/api/v1/agents` is `/api/agents`.
pub const V1: &str = "/api/v1/";

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Must equal this text.
    Literal(&'static str),
    /// A decimal `u64`, captured.
    Id,
}

/// A route table from (method, path pattern) to handlers of type `H`.
#[derive(Debug)]
pub struct Router<H> {
    /// Routes in the order they were added (the order of every `Allow` list), each
    /// with the pattern it was written as.
    routes: Vec<(Vec<Segment>, Method, H, &'static str)>,
}

/// What the table says about one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<H> {
    /// The handler, with the `{id}` values in order.
    Handler(H, Vec<u64>),
    /// The path exists but not with this method: the methods it answers.
    WrongMethod(String),
    /// No pattern matches the path.
    NoPath,
}

fn parse(pattern: &'static str) -> Vec<Segment> {
    pattern
        .trim_start_matches('/')
        .split('/')
        .map(|s| match s {
            "{id}" => Segment::Id,
            other => Segment::Literal(other),
        })
        .collect()
}

/// `/api/v1/x` → `/api/x`; any other path is itself.
pub fn unversioned(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix(V1) {
        Some(rest) => format!("/api/{rest}").into(),
        None => path.into(),
    }
}

/// The `{id}` values when `path` matches `pattern`.
fn matches(pattern: &[Segment], path: &str) -> Option<Vec<u64>> {
    let mut parts = path.strip_prefix('/')?.split('/');
    let mut ids = Vec::new();
    for segment in pattern {
        let part = parts.next()?;
        match segment {
            Segment::Literal(text) if *text == part => {}
            Segment::Literal(_) => return None,
            Segment::Id => {
                // Digits only: `parse` would also take a leading `+`.
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                ids.push(part.parse().ok()?);
            }
        }
    }
    parts.next().is_none().then_some(ids)
}

impl<H: Copy> Router<H> {
    /// An empty table.
    pub fn new() -> Self {
        Router { routes: Vec::new() }
    }

    /// Adds `method pattern → handler`; a pattern is `/`-separated literals and `{id}`s.
    pub fn add(mut self, method: Method, pattern: &'static str, handler: H) -> Self {
        self.routes.push((parse(pattern), method, handler, pattern));
        self
    }

    /// Every route as (method, pattern as written), in the order they were added: what
    /// the API's OpenAPI document must list.
    #[cfg(test)]
    pub fn patterns(&self) -> impl Iterator<Item = (&Method, &'static str)> {
        self.routes
            .iter()
            .map(|(_, method, _, text)| (method, *text))
    }

    /// The methods `path` answers, as an `Allow` value (None for an unknown path).
    pub fn allow(&self, path: &str) -> Option<String> {
        self.allow_exact(&unversioned(path))
    }

    /// [`Router::allow`] for a path already without the version prefix.
    fn allow_exact(&self, path: &str) -> Option<String> {
        let methods: Vec<&str> = self
            .routes
            .iter()
            .filter(|(pattern, ..)| matches(pattern, path).is_some())
            .map(|(_, method, ..)| method.as_str())
            .collect();
        (!methods.is_empty()).then(|| methods.join(", "))
    }

    /// The handler for `method path`, or why there is none.
    pub fn find(&self, method: &Method, path: &str) -> Found<H> {
        let path = unversioned(path);
        for (pattern, m, handler, _) in &self.routes {
            if m == method
                && let Some(ids) = matches(pattern, &path)
            {
                return Found::Handler(*handler, ids);
            }
        }
        match self.allow_exact(&path) {
            Some(allow) => Found::WrongMethod(allow),
            None => Found::NoPath,
        }
    }
}

impl<H: Copy> Default for Router<H> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Router<u8> {
        Router::new()
            .add(Method::GET, "/api/agents", 1)
            .add(Method::POST, "/api/agents", 2)
            .add(Method::PATCH, "/api/agents/{id}", 3)
            .add(Method::POST, "/api/webhooks/{id}/test", 4)
            .add(Method::GET, "/api/a/{id}/b/{id}", 5)
    }

    #[test]
    fn finds_handlers_and_ids() {
        let t = table();
        assert_eq!(
            t.find(&Method::GET, "/api/agents"),
            Found::Handler(1, vec![])
        );
        assert_eq!(
            t.find(&Method::POST, "/api/agents"),
            Found::Handler(2, vec![])
        );
        assert_eq!(
            t.find(&Method::PATCH, "/api/agents/7"),
            Found::Handler(3, vec![7])
        );
        assert_eq!(
            t.find(&Method::POST, "/api/webhooks/12/test"),
            Found::Handler(4, vec![12])
        );
        assert_eq!(
            t.find(&Method::GET, "/api/a/1/b/2"),
            Found::Handler(5, vec![1, 2])
        );
    }

    #[test]
    fn the_versioned_prefix_is_the_same_route() {
        let t = table();
        assert_eq!(
            t.find(&Method::PATCH, "/api/v1/agents/7"),
            Found::Handler(3, vec![7])
        );
        assert_eq!(t.allow("/api/v1/agents"), Some("GET, POST".into()));
        assert_eq!(t.find(&Method::GET, "/api/v2/agents"), Found::NoPath);
        assert_eq!(t.find(&Method::GET, "/api/v1"), Found::NoPath);
        assert_eq!(t.find(&Method::PUT, "/api/v1/v1/agents"), Found::NoPath);
        assert_eq!(t.allow("/api/v1/v1/agents"), None);
    }

    #[test]
    fn wrong_methods_list_what_the_path_answers() {
        let t = table();
        assert_eq!(
            t.find(&Method::DELETE, "/api/agents"),
            Found::WrongMethod("GET, POST".into())
        );
        assert_eq!(
            t.find(&Method::GET, "/api/webhooks/3/test"),
            Found::WrongMethod("POST".into())
        );
        assert_eq!(t.allow("/api/agents/7"), Some("PATCH".into()));
    }

    #[test]
    fn ids_are_decimal_and_paths_match_whole() {
        let t = table();
        for path in [
            "/api/agents/x",
            "/api/agents/+7",
            "/api/agents/",
            "/api/agents/7/",
            "/api/agents/7/more",
            "/api/agents/99999999999999999999999",
            "/api/webhooks/1",
            "/api",
            "api/agents",
            "",
        ] {
            assert_eq!(t.find(&Method::PATCH, path), Found::NoPath, "{path}");
            assert_eq!(t.allow(path), None, "{path}");
        }
    }
}
