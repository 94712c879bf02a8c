//! Entry point of the department page: mounts its Yew root component.

fn main() {
    survey_app::department::run();
}
