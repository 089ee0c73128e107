package dev.warden.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * How an audit report is written: {@link #TEXT} (aligned tables), {@link #CSV} (RFC 4180, one block per table
 * after a {@code # title} line, blocks separated by an empty line), {@link #JSON} (one object; cells keep their
 * types) and {@link #HTML} (one self-contained page, inline CSS and an inline SVG bar chart of the series; no
 * script, nothing fetched). Every value is escaped for its format; CSV cells that a spreadsheet would run as a
 * formula are prefixed with {@code '}.
 *
 * <p>Stateless and thread-safe.
 */
public enum ReportFormat {
    TEXT, CSV, JSON, HTML;

    /**
     * @param heading the report's title (period included by the caller)
     * @param series  the chart's data, or null for none (only HTML and JSON show it)
     */
    public String render(String heading, List<ReportTable> tables, ReportSeries series) {
        return switch (this) {
            case TEXT -> text(heading, tables, series);
            case CSV -> csv(tables);
            case JSON -> json(heading, tables, series);
            case HTML -> html(heading, tables, series);
        };
    }

    public static ReportFormat parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    private static String cell(Object o) {
        return o == null ? "" : o.toString();
    }

    // ------------------------------------------------------------------ text

    private static String text(String heading, List<ReportTable> tables, ReportSeries series) {
        StringBuilder out = new StringBuilder(heading).append('\n').append("=".repeat(heading.length())).append("\n");
        for (ReportTable t : tables) {
            out.append('\n').append(t.title()).append('\n');
            if (t.rows().isEmpty()) {
                out.append("(none)\n");
                continue;
            }
            int[] width = new int[t.columns().size()];
            for (int i = 0; i < width.length; i++) {
                width[i] = t.columns().get(i).length();
                for (List<Object> r : t.rows()) {
                    width[i] = Math.max(width[i], oneLine(cell(r.get(i))).length());
                }
            }
            appendRow(out, t.columns(), width, null);
            StringBuilder rule = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                rule.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
            }
            out.append(rule).append('\n');
            for (List<Object> r : t.rows()) {
                appendRow(out, r, width, r);
            }
        }
        if (series != null) {
            out.append('\n').append(series.title()).append(": ").append(series.total()).append(" in ")
                    .append(series.counts().size()).append(" buckets from ")
                    .append(AuditLineCodec.formatTime(series.start())).append(", peak ").append(series.max())
                    .append('\n');
        }
        return out.toString();
    }

    private static void appendRow(StringBuilder out, List<?> cells, int[] width, List<Object> typed) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String v = oneLine(cell(cells.get(i)));
            boolean number = typed != null && typed.get(i) instanceof Long;
            if (i > 0) {
                line.append("  ");
            }
            String pad = " ".repeat(width[i] - v.length());
            line.append(number ? pad + v : v + (i == width.length - 1 ? "" : pad));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /** Control characters could forge lines in a terminal: shown escaped. */
    private static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ csv

    private static String csv(List<ReportTable> tables) {
        StringBuilder out = new StringBuilder();
        for (ReportTable t : tables) {
            if (out.length() > 0) {
                out.append("\r\n");
            }
            out.append("# ").append(oneLine(t.title())).append("\r\n");
            csvRow(out, t.columns().stream().map(Object.class::cast).toList());
            t.rows().forEach(r -> csvRow(out, r));
        }
        return out.toString();
    }

    private static void csvRow(StringBuilder out, List<Object> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object o = cells.get(i);
            String v = cell(o);
            if (!(o instanceof Long) && !v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
                v = "'" + v;
            }
            if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                v = '"' + v.replace("\"", "\"\"") + '"';
            }
            out.append(v);
        }
        out.append("\r\n");
    }

    // ------------------------------------------------------------------ json

    private static String json(String heading, List<ReportTable> tables, ReportSeries series) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("title", heading);
            g.writeArrayFieldStart("sections");
            for (ReportTable t : tables) {
                g.writeStartObject();
                g.writeStringField("title", t.title());
                g.writeArrayFieldStart("columns");
                for (String c : t.columns()) {
                    g.writeString(c);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("rows");
                for (List<Object> r : t.rows()) {
                    g.writeStartObject();
                    for (int i = 0; i < t.columns().size(); i++) {
                        Object v = r.get(i);
                        g.writeFieldName(t.columns().get(i));
                        if (v instanceof Long n) {
                            g.writeNumber(n);
                        } else if (v == null) {
                            g.writeNull();
                        } else {
                            g.writeString(v.toString());
                        }
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            if (series != null) {
                g.writeObjectFieldStart("series");
                g.writeStringField("title", series.title());
                g.writeStringField("bucket", series.bucket().toString());
                g.writeArrayFieldStart("points");
                for (int i = 0; i < series.counts().size(); i++) {
                    g.writeStartObject();
                    g.writeStringField("start", AuditLineCodec.formatTime(bucketStart(series, i)));
                    g.writeNumberField("count", series.counts().get(i));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString() + "\n";
    }

    private static Instant bucketStart(ReportSeries s, int i) {
        return s.start().plus(s.bucket().multipliedBy(i));
    }

    // ------------------------------------------------------------------ html

    private static String html(String heading, List<ReportTable> tables, ReportSeries series) {
        StringBuilder out = new StringBuilder(4096);
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(heading)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:0 0 2em 0}\n")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\n")
                .append("th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("svg text{font-size:11px;fill:#444}\n</style></head><body>\n<h1>").append(esc(heading))
                .append("</h1>\n");
        if (series != null) {
            out.append("<h2>").append(esc(series.title())).append("</h2>\n").append(svg(series));
        }
        for (ReportTable t : tables) {
            out.append("<h2>").append(esc(t.title())).append("</h2>\n");
            if (t.rows().isEmpty()) {
                out.append("<p>(none)</p>\n");
                continue;
            }
            out.append("<table><thead><tr>");
            t.columns().forEach(c -> out.append("<th>").append(esc(c)).append("</th>"));
            out.append("</tr></thead><tbody>\n");
            for (List<Object> r : t.rows()) {
                out.append("<tr>");
                for (Object v : r) {
                    out.append(v instanceof Long ? "<td class=\"n\">" : "<td>").append(esc(cell(v))).append("</td>");
                }
                out.append("</tr>\n");
            }
            out.append("</tbody></table>\n");
        }
        return out.append("</body></html>\n").toString();
    }

    /** A bar per bucket, the y axis scaled to the peak; labels at both ends. */
    private static String svg(ReportSeries s) {
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

    private static String esc(String s) {
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
