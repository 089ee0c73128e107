package dev.warden.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Counts per time bucket for the report's chart: {@code counts.get(i)} events in
 * {@code [start + i*bucket, start + (i+1)*bucket)}. Immutable.
 */
public record ReportSeries(String title, Instant start, Duration bucket, List<Long> counts) {

    public ReportSeries {
        counts = List.copyOf(counts);
    }

    public long total() {
        return counts.stream().mapToLong(Long::longValue).sum();
    }

    public long max() {
        return counts.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
