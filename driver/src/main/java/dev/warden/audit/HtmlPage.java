package dev.warden.audit;

import java.util.List;
import java.util.Locale;

/**
 * One self-contained HTML page of tables and bar charts: inline CSS and inline SVG, no script, nothing fetched, so
 * that a reviewer can file it and open it offline. Used by {@code warden audit report --format html} and by
 * {@code warden assess}. Every text is escaped. Not thread-safe; one per page.
 */
public final class HtmlPage {

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:0 0 2em 0}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
            svg text{font-size:11px;fill:#444}
            p.status{padding:6px 10px;border-radius:4px;display:inline-block}
            p.ok{background:#e3f4e3;border:1px solid #6a6}p.bad{background:#fbe3e3;border:1px solid #c66}
            td.plaintext{background:#fde8d8}td.masked{background:#eef3fb}td.denied{color:#888}
            """;

    private final StringBuilder out = new StringBuilder(8192);

    /** A page titled {@code heading} (its {@code <title>} and first heading). */
    public HtmlPage(String heading) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(heading))
                .append("</title>\n<style>\n").append(STYLE).append("</style></head><body>\n<h1>").append(esc(heading))
                .append("</h1>\n");
    }

    /** A section heading; {@code id} (may be null) lets a test or a link find the section. */
    public HtmlPage section(String title, String id) {
        out.append(id == null ? "<h2>" : "<h2 id=\"" + esc(id) + "\">").append(esc(title)).append("</h2>\n");
        return this;
    }

    public HtmlPage paragraph(String text) {
        out.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    /** A highlighted verdict: green when {@code ok}, red otherwise. */
    public HtmlPage status(boolean ok, String text) {
        out.append("<p class=\"status ").append(ok ? "ok" : "bad").append("\">").append(esc(text)).append("</p>\n");
        return this;
    }

    /** A section of the table's title, then the table ("(none)" when it has no rows). */
    public HtmlPage table(ReportTable t) {
        return table(t, null, false);
    }

    /** As {@link #table(ReportTable)}, under a heading with {@code id} (may be null). */
    public HtmlPage table(ReportTable t, String id) {
        return table(t, id, false);
    }

    /**
     * As {@link #table(ReportTable, String)} for a table of grants: a cell whose first word is {@code plaintext},
     * {@code masked} or {@code denied} gets that class, so that grants read at a glance.
     */
    public HtmlPage grantTable(ReportTable t, String id) {
        return table(t, id, true);
    }

    private HtmlPage table(ReportTable t, String id, boolean grants) {
        section(t.title(), id);
        if (t.rows().isEmpty()) {
            out.append("<p>(none)</p>\n");
            return this;
        }
        out.append("<table><thead><tr>");
        t.columns().forEach(c -> out.append("<th>").append(esc(c)).append("</th>"));
        out.append("</tr></thead><tbody>\n");
        for (List<Object> r : t.rows()) {
            out.append("<tr>");
            for (Object v : r) {
                String text = v == null ? "" : v.toString();
                String first = text.split(" ", 2)[0];
                String css = v instanceof Long ? " class=\"n\""
                        : grants && (first.equals("plaintext") || first.equals("masked") || first.equals("denied"))
                                ? " class=\"" + first + "\"" : "";
                out.append("<td").append(css).append('>').append(esc(text)).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody></table>\n");
        return this;
    }

    /** A section of the series' title, then its bar chart. */
    public HtmlPage chart(ReportSeries series, String id) {
        section(series.title(), id);
        out.append(svg(series));
        return this;
    }

    public String render() {
        return out + "</body></html>\n";
    }

    /** A bar per bucket, the y axis scaled to the peak; labels at both ends. */
    static String svg(ReportSeries s) {
        int width = 760;
        int height = 240;
        int left = 50;
        int bottom = 30;
        int top = 10;
        int plotW = width - left - 10;
        int plotH = height - bottom - top;
        int n = s.counts().size();
        long max = Math.max(1, s.max());
        double barW = (double) plotW / n;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(esc(s.title())).append("\">\n");
        b.append("<line x1=\"").append(left).append("\" y1=\"").append(top + plotH).append("\" x2=\"")
                .append(left + plotW).append("\" y2=\"").append(top + plotH).append("\" stroke=\"#888\"/>\n");
        b.append("<line x1=\"").append(left).append("\" y1=\"").append(top).append("\" x2=\"").append(left)
                .append("\" y2=\"").append(top + plotH).append("\" stroke=\"#888\"/>\n");
        b.append("<text x=\"").append(left - 6).append("\" y=\"").append(top + 10)
                .append("\" text-anchor=\"end\">").append(max).append("</text>\n");
        b.append("<text x=\"").append(left - 6).append("\" y=\"").append(top + plotH)
                .append("\" text-anchor=\"end\">0</text>\n");
        for (int i = 0; i < n; i++) {
            long c = s.counts().get(i);
            if (c == 0) {
                continue;
            }
            double h = (double) c / max * plotH;
            b.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b6ea5\"><title>%s: %d</title></rect>%n",
                    left + i * barW + barW * 0.1, top + plotH - h, Math.max(1, barW * 0.8), h,
                    esc(AuditLineCodec.formatTime(bucketStart(s, i))), c));
        }
        b.append("<text x=\"").append(left).append("\" y=\"").append(height - 8).append("\">")
                .append(esc(AuditLineCodec.formatTime(s.start()))).append("</text>\n");
        b.append("<text x=\"").append(left + plotW).append("\" y=\"").append(height - 8)
                .append("\" text-anchor=\"end\">").append(esc(AuditLineCodec.formatTime(bucketStart(s, n))))
                .append("</text>\n");
        return b.append("</svg>\n").toString();
    }

    static java.time.Instant bucketStart(ReportSeries s, int i) {
        return s.start().plus(s.bucket().multipliedBy(i));
    }

    /** Escapes text for HTML element content and attribute values. */
    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
