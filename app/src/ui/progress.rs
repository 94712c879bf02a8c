//! The progress bar of a response: answered questions out of all, and the page.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub answered: usize,
    pub total: usize,
    /// Accessible name, e.g. "3 / 15 answered".
    pub label: AttrValue,
}

#[component]
pub fn Progress(props: &ProgressProps) -> Html {
    let percent = (props.answered * 100).checked_div(props.total).unwrap_or(0);
    html! {
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax={props.total.to_string()}
            aria-valuenow={props.answered.to_string()} aria-label={props.label.clone()}>
            // An SVG bar drawn by attributes: the page's Content-Security-Policy allows no style
            // attributes (`style-src 'self'`).
            <svg class="progress-bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect class="progress-fill" width={percent.to_string()} height="1" />
            </svg>
        </div>
    }
}
