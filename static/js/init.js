// Starts GOV.UK Frontend. Loaded as a module from base.html: the CSP allows no inline
// script, so the classes GOV.UK's page template sets with an inline snippet are set
// here instead, before initAll() (which only runs where govuk-frontend-supported is set).
import { initAll, isSupported } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
if (isSupported()) {
  initAll();
}
