package dev.warden.cli.assess;

import dev.warden.audit.HtmlPage;
import dev.warden.audit.ReportFormat;

/**
 * Renders an {@link Assessment}: one self-contained HTML page ({@link HtmlPage}: inline CSS and SVG, no script,
 * nothing fetched), or the same sections as JSON ({@link ReportFormat#JSON}). Stateless.
 */
public final class AssessmentPage {

    private AssessmentPage() {}

    public static String html(Assessment a) {
        HtmlPage page = new HtmlPage(a.heading());
        page.status(a.clean(), a.clean() ? "No finding: the policy matches the database and the audit trail verifies."
                : "Findings: see the policy check and the audit trail verification below.");
        page.table(a.summary(), "summary");
        page.table(a.coverage(), "coverage");
        page.table(a.keys(), "keys");
        page.grantTable(a.matrix(), "matrix");
        page.paragraph("plaintext for P (else masked): plaintext only for a session acting for purpose P. filter: may"
                + " have the database compare the column's values (=, IN, joins, LIKE on a match index). write: may"
                + " write the column.");
        page.section("Access review", "access-review");
        page.grantTable(a.unusedGrants(), "unused-grants");
        page.table(a.readers(), "readers");
        page.chart(a.denials(), "denials");
        page.section("Audit trail", "trail");
        page.status(a.verdict().startsWith("verified"), a.verdict());
        page.table(a.verification(), "chains");
        page.table(a.findings(), "findings");
        return page.render();
    }

    public static String json(Assessment a) {
        return ReportFormat.JSON.render(a.heading(), a.tables(), a.denials());
    }
}
