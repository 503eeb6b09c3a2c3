//! The pieces of the page, one component per file.

pub mod cluster_map;
pub mod dock;
pub mod editor;
pub mod events;
pub mod inspector;
pub mod lesson_panel;
pub mod markdown;
pub mod notice;
pub mod terminal;
pub mod top_bar;

pub use cluster_map::ClusterMap;
pub use dock::Dock;
pub use editor::Editor;
pub use events::EventsView;
pub use inspector::Inspector;
pub use lesson_panel::LessonPanel;
pub use notice::NoticeBanner;
pub use terminal::Terminal;
pub use top_bar::{TopBar, TopBarProps};
