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
        return HtmlPage.bucketStart(s, i);
    }

    // ------------------------------------------------------------------ html

    private static String html(String heading, List<ReportTable> tables, ReportSeries series) {
        HtmlPage page = new HtmlPage(heading);
        if (series != null) {
            page.chart(series, null);
        }
        tables.forEach(page::table);
        return page.render();
    }

}
