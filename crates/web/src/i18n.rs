//! The page's own words in English and Korean: one typed catalogue per language.
//!
//! The `strings!` macro declares every key once with both texts, so a key cannot exist in one
//! language only; the test below also checks that no text is empty. Kubernetes' own messages
//! (kubectl output, events, check details) stay in English, as they do in a real cluster.

use pilothouse_lessons::Lang;

macro_rules! strings {
    ($( $key:ident : $en:expr , $ko:expr ; )*) => {
        /// Every UI string of the page in one language.
        #[derive(Debug, PartialEq, Eq)]
        pub struct T { $( #[doc = $en] pub $key: &'static str, )* }

        /// English.
        pub const EN: T = T { $( $key: $en, )* };
        /// Korean.
        pub const KO: T = T { $( $key: $ko, )* };

        impl T {
            /// Every (key, text) pair, for tests.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![ $( (stringify!($key), self.$key), )* ]
            }
        }
    };
}

strings! {
    tagline: "a Kubernetes cluster in a browser tab", "브라우저 탭 안의 쿠버네티스 클러스터";
    profile: "Profile", "프로필";
    clock: "Virtual clock", "가상 시계";
    play: "Play", "재생";
    pause: "Pause", "일시 정지";
    step: "Step 1 s", "1초 진행";
    speed: "Speed", "속도";
    reset: "Reset", "초기화";
    reset_confirm: "Start over with a fresh cluster from this seed?", "이 시드로 새 클러스터를 만들어 처음부터 다시 시작할까요?";
    share: "Share link", "공유 링크";
    share_copied: "Copy this link: it opens this session, cluster and terminal included, in any browser.", "이 링크를 복사해 공유하세요. 클러스터와 터미널을 포함한 지금 세션이 어느 브라우저에서든 그대로 열립니다.";
    export: "Export", "내보내기";
    import: "Import", "가져오기";
    seed: "Seed", "시드";
    language: "Language", "언어";
    nodes: "nodes", "노드";
    pods: "pods", "파드";
    lessons: "Lessons", "레슨";
    hide_lessons: "Hide the lesson panel", "레슨 패널 숨기기";
    show_lessons: "Show the lesson panel", "레슨 패널 보이기";
    catalogue: "All lessons", "전체 레슨";
    minutes: "min", "분";
    start_lesson: "Start", "시작";
    exit_lesson: "Leave the lesson", "레슨 나가기";
    step_of: "Step", "단계";
    checks: "Checks", "확인 항목";
    hint: "Show a hint", "힌트 보기";
    no_more_hints: "No more hints", "더 이상 힌트가 없습니다";
    solution: "Show the solution", "풀이 보기";
    play_solution: "Run the solution", "풀이 실행";
    reset_step: "Reset step", "단계 초기화";
    reset_lesson: "Reset lesson", "레슨 초기화";
    skip: "Skip step", "단계 건너뛰기";
    step_done: "Step complete", "단계 완료";
    lesson_done: "Lesson complete. Well done!", "레슨을 모두 마쳤습니다. 잘하셨어요!";
    progress: "done", "완료";
    cluster_map: "Cluster map", "클러스터 맵";
    inspector: "Inspector", "인스펙터";
    inspector_empty: "Select a node, a pod or another object on the map to inspect it.", "맵에서 노드, 파드 또는 다른 오브젝트를 선택하면 여기에서 자세히 볼 수 있습니다.";
    terminal: "Terminal", "터미널";
    editor: "Editor", "편집기";
    events: "Events", "이벤트";
    pending_lane: "Pending pods", "Pending 파드";
    no_pending: "No pod is waiting for a node.", "노드를 기다리는 파드가 없습니다.";
    workloads: "Workloads", "워크로드";
    services: "Services", "서비스";
    storage: "Storage", "스토리지";
    none: "none", "없음";
    cordoned: "cordoned", "스케줄 불가(cordon)";
    taints: "Taints", "테인트";
    cpu: "CPU", "CPU";
    memory: "Memory", "메모리";
    more_pods: "pods (collapsed)", "개 파드(접어서 표시)";
    summary: "Summary", "요약";
    yaml: "YAML", "YAML";
    describe: "Describe", "Describe";
    trace: "Scheduling", "스케줄링";
    owners: "Owner and dependents", "소유자와 종속 오브젝트";
    owner: "Owner", "소유자";
    dependents: "Dependents", "종속 오브젝트";
    edit: "Edit", "편집";
    close: "Close", "닫기";
    faults: "Fault injection", "장애 주입";
    stop_node: "Stop node", "노드 중지";
    start_node: "Start node", "노드 시작";
    fill_memory: "Fill node memory", "노드 메모리 채우기";
    clear_memory: "Free node memory", "노드 메모리 비우기";
    delete_pod: "Delete pod", "파드 삭제";
    fail_liveness: "Fail liveness probe", "활성 프로브(liveness) 실패시키기";
    fail_readiness: "Fail readiness probe", "준비성 프로브(readiness) 실패시키기";
    heal_probes: "Make probes pass", "프로브 정상화";
    oom: "Exceed memory limit", "메모리 한도 초과시키기";
    why_here: "Why here?", "왜 이 노드에 배치됐나요?";
    why_pending: "Why Pending?", "왜 Pending 상태인가요?";
    no_trace: "The scheduler has not tried this pod (it was bound directly or is a static pod).", "스케줄러가 이 파드를 다룬 적이 없습니다(노드에 바로 지정됐거나 스태틱 파드입니다).";
    node: "Node", "노드";
    result: "Result", "결과";
    fits: "fits", "배치 가능";
    rejected: "rejected", "제외됨";
    score: "Score", "점수";
    chosen: "chosen", "선택됨";
    apply: "Apply", "적용";
    apply_hint: "Ctrl+Enter applies the text with kubectl apply", "Ctrl+Enter를 누르면 kubectl apply로 적용합니다";
    save_edit: "Save", "저장";
    cancel_edit: "Cancel", "취소";
    template: "Template", "템플릿";
    editor_label: "YAML editor", "YAML 편집기";
    problems: "Problems", "문제";
    line: "line", "줄";
    column: "column", "열";
    terminal_label: "Terminal: type kubectl or minikube commands", "터미널: kubectl 또는 minikube 명령어를 입력하세요";
    terminal_help: "Tab completes, ↑/↓ browse history, Ctrl-C stops a watch, Ctrl-L clears.", "Tab으로 자동 완성, ↑/↓로 이전 명령어, Ctrl-C로 감시 중지, Ctrl-L로 화면을 지웁니다.";
    running_watch: "A watch is running: Ctrl-C stops it.", "감시 명령이 실행 중입니다. Ctrl-C로 멈출 수 있습니다.";
    filter_kind: "Kind", "종류";
    filter_namespace: "Namespace", "네임스페이스";
    filter_reason: "Reason", "사유";
    warnings_only: "Warnings only", "경고만 보기";
    all: "all", "전체";
    no_events: "No events match.", "조건에 맞는 이벤트가 없습니다.";
    saved_state_error: "The saved session could not be restored", "저장된 세션을 복원하지 못했습니다";
    saved_state_help: "A fresh cluster was started instead. Reset discards the saved session.", "대신 새 클러스터로 시작했습니다. 초기화를 누르면 저장된 세션을 지웁니다.";
    dismiss: "Dismiss", "닫기";
    crashed: "Something went wrong inside the page.", "페이지 내부에서 오류가 발생했습니다.";
    reload: "Reload", "새로고침";
    restoring: "Restoring your session…", "세션을 복원하는 중…";
    open_url: "Service URL", "서비스 URL";
    selected: "Selected", "선택됨";
}

/// The catalogue of a language.
pub fn t(lang: Lang) -> &'static T {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_both_languages() {
        let en = EN.entries();
        let ko = KO.entries();
        assert_eq!(en.len(), ko.len());
        for ((k, e), (k2, o)) in en.iter().zip(ko.iter()) {
            assert_eq!(k, k2);
            assert!(!e.trim().is_empty(), "English text of {k} is empty");
            assert!(!o.trim().is_empty(), "Korean text of {k} is empty");
        }
    }

    #[test]
    fn korean_is_translated() {
        // Texts that are the same in both languages are names (CPU, YAML, Describe).
        let same: Vec<_> = EN.entries().into_iter().zip(KO.entries()).filter(|(e, k)| e.1 == k.1).map(|(e, _)| e.0).collect();
        assert!(same.iter().all(|k| ["cpu", "yaml", "describe"].contains(k)), "untranslated: {same:?}");
        assert!(KO.entries().iter().filter(|(_, v)| v.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c))).count() > 100);
    }
}
