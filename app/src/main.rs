//! Entry point of the field app: mounts the Yew root component.

fn main() {
    survey_app::run();
}
