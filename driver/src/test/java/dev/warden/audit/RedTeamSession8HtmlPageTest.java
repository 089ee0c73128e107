package dev.warden.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: names that look like markup (a table, column, role, purpose, fingerprint, application name
 * or call site chosen by whoever can create tables or connect) reach the report and assess pages only as text.
 */
class RedTeamSession8HtmlPageTest {

    private static final List<String> HOSTILE = List.of("<script>alert(1)</script>", "</svg><img src=x onerror=alert(2)>",
            "\" onmouseover=\"alert(3)", "' onfocus='alert(4)", "plaintext\"><script>alert(5)</script>",
            "<!--", "]]><script>alert(6)</script>", "&lt;script&gt;");

    @Test
    void everyCellHeadingAndTitleIsText() {
        for (String bad : HOSTILE) {
            HtmlPage page = new HtmlPage(bad).section(bad, bad).paragraph(bad).status(false, bad)
                    .table(new ReportTable(bad, List.of(bad, "n"), List.of(List.of(bad, 3L))), bad)
                    .grantTable(new ReportTable(bad, List.of(bad), List.of(List.<Object>of(bad))), bad);
            String html = page.render();
            assertFalse(html.contains("<script"), html);
            assertFalse(html.contains("<img"), html);
            assertFalse(html.contains("\" onmouseover"), html);
            assertFalse(html.contains("' onfocus"), html);
            assertFalse(html.contains("<!--"), html);
            assertFalse(html.contains("class=\"plaintext\">"), "a grant cell's class is one of three words: " + html);
            assertTrue(html.contains("&lt;") || html.contains("&quot;") || html.contains("&#39;")
                    || html.contains("&amp;"), html);
        }
    }
}
