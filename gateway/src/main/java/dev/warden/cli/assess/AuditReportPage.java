package dev.warden.cli.assess;

import dev.warden.audit.HtmlPage;
import dev.warden.audit.ReportSeries;
import dev.warden.audit.ReportTable;
import dev.warden.audit.TrailVerification;
import dev.warden.policy.Policy;
import java.util.List;

/**
 * {@code warden audit report --format html}: the report's tables and chart on one self-contained page
 * ({@link HtmlPage}), headed by the trail's verification verdict and period, with the denied attempts over time
 * and, given the policy, its role × column matrix, then the client addresses and the key, reencryption and policy
 * events as their own sections. Stateless.
 */
public final class AuditReportPage {

    private AuditReportPage() {}

    /**
     * @param clients      the client addresses table (section id {@code clients})
     * @param keyEvents    the key, reencryption and policy events table (section id {@code key-events})
     * @param verification the trail's verification, or null ({@code problem} then says why it was not verified)
     * @param policy       the policy whose matrix to show, or null
     */
    public static String html(String heading, String period, List<ReportTable> tables, ReportSeries accesses,
                              ReportSeries denials, ReportTable clients, ReportTable keyEvents,
                              TrailVerification verification, String problem, Policy policy) {
        HtmlPage page = new HtmlPage(heading);
        String verdict = TrailVerdict.of(verification, problem);
        page.status(verification != null && verification.ok(), "Audit trail " + verdict);
        page.paragraph("Events from " + period + ".");
        if (verification != null) page.table(TrailVerdict.table(verification), "chains");
        if (policy != null) page.grantTable(GrantMatrix.of(policy), "matrix");
        page.chart(accesses, "accesses");
        page.chart(denials, "denials");
        page.table(clients, "clients");
        page.table(keyEvents, "key-events");
        for (ReportTable t : tables) page.table(t);
        return page.render();
    }
}
