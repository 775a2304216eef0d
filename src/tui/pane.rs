//! The panes that take the focus, in Tab order.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Keys,
    Grants,
    Principals,
    Events,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Keys, Pane::Grants, Pane::Principals, Pane::Events];

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Keys => "Keys",
            Pane::Grants => "Grants",
            Pane::Principals => "Principals",
            Pane::Events => "Event log",
        }
    }
}
