package dev.warden.bench.driver;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link DriverBenchmark} through the JMH Runner API and prints, per scenario, raw and Warden µs/op (mean
 * and median), their ratios and the target, as a Markdown table for the README. Command-line tool; prints to standard output.
 *
 * <pre>
 * --rounds N       run the whole suite N times (pairs stay back to back), default 1
 * --only S,S       scenarios to run (pointSelect, pointSelectReused, insert, rangeSelect, plainPointSelect)
 * --variant V      raw, warden or both (default)
 * --prof gc        add a JMH profiler (gc, stack, ...); gc fills the table's bytes-allocated-per-op columns
 * --warmup N --iterations N --time S --forks N   override the annotations (3, 5, 2 s, 1)
 * </pre>
 */
public final class DriverBenchmarks {

    /** Scenario name, what it is, and the largest Warden/raw ratio the issue accepts. */
    private record Scenario(String name, String label, double target) {}

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("pointSelect", "Prepared point SELECT by email (prepare per op)", 1.10),
            new Scenario("pointSelectReused", "Prepared point SELECT by email (one reused statement)", 1.10),
            new Scenario("insert", "INSERT, two encrypted columns (prepare per op)", 1.10),
            new Scenario("rangeSelect", "100-row SELECT decrypting two columns", 2.00),
            new Scenario("plainPointSelect", "Plain Statement point SELECT, new literal each op", 1.25));

    private DriverBenchmarks() {}

    public static void main(String[] args) throws RunnerException {
        int rounds = 1;
        List<String> only = new ArrayList<>();
        String variant = "both";
        List<String> profilers = new ArrayList<>();
        Integer warmup = null, iterations = null, time = null, forks = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                case "--only" -> { only.addAll(List.of(value.split(","))); i++; }
                case "--variant" -> { variant = value; i++; }
                case "--prof" -> { profilers.add(value); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(value); i++; }
                case "--iterations" -> { iterations = Integer.parseInt(value); i++; }
                case "--time" -> { time = Integer.parseInt(value); i++; }
                case "--forks" -> { forks = Integer.parseInt(value); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Scenario> chosen = SCENARIOS.stream().filter(s -> only.isEmpty() || only.contains(s.name())).toList();
        String variants = switch (variant) {
            case "both" -> "(raw|warden)";
            case "raw", "warden" -> variant;
            default -> throw new IllegalArgumentException("--variant raw, warden or both");
        };
        String include = DriverBenchmark.class.getName().replace(".", "\\.") + "\\.("
                + String.join("|", chosen.stream().map(Scenario::name).toList()) + ")_" + variants + "$";

        // scenario -> variant -> one result per round
        Map<String, Map<String, List<RunResult>>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            ChainedOptionsBuilder options = new OptionsBuilder().include(include);
            for (String p : profilers) options.addProfiler(p);
            if (warmup != null) options.warmupIterations(warmup);
            if (iterations != null) options.measurementIterations(iterations);
            if (time != null) {
                options.warmupTime(TimeValue.seconds(time)).measurementTime(TimeValue.seconds(time));
            }
            if (forks != null) options.forks(forks);
            Collection<RunResult> run = new Runner(options.build()).run();
            for (RunResult r : run) {
                String method = r.getParams().getBenchmark();
                method = method.substring(method.lastIndexOf('.') + 1);
                int underscore = method.lastIndexOf('_');
                results.computeIfAbsent(method.substring(0, underscore), k -> new LinkedHashMap<>())
                        .computeIfAbsent(method.substring(underscore + 1), k -> new ArrayList<>()).add(r);
            }
        }
        System.out.println();
        System.out.println(table(chosen, results, rounds));
    }

    private static String table(List<Scenario> chosen, Map<String, Map<String, List<RunResult>>> results, int rounds) {
        StringBuilder out = new StringBuilder();
        out.append("| Scenario | raw µs/op mean (median) | Warden µs/op mean (median) | Warden / raw mean"
                + " | Warden / raw median | Target | Met (median) | raw B/op | Warden B/op |\n");
        out.append("|---|---:|---:|---:|---:|---:|:-:|---:|---:|\n");
        for (Scenario s : chosen) {
            Map<String, List<RunResult>> byVariant = results.getOrDefault(s.name(), Map.of());
            List<RunResult> raw = byVariant.getOrDefault("raw", List.of());
            List<RunResult> warden = byVariant.getOrDefault("warden", List.of());
            String meanRatio = "", medianRatio = "", met = "";
            if (!raw.isEmpty() && !warden.isEmpty()) {
                meanRatio = ratios(raw, warden, DriverBenchmarks::mean);
                medianRatio = ratios(raw, warden, DriverBenchmarks::median);
                double r = average(warden, DriverBenchmarks::median) / average(raw, DriverBenchmarks::median);
                met = r <= s.target() ? "yes" : "no";
            }
            out.append("| ").append(s.label())
                    .append(" | ").append(scores(raw))
                    .append(" | ").append(scores(warden))
                    .append(" | ").append(meanRatio)
                    .append(" | ").append(medianRatio)
                    .append(" | ≤ ").append(String.format(Locale.ROOT, "%.2f", s.target()))
                    .append(" | ").append(met)
                    .append(" | ").append(allocation(raw))
                    .append(" | ").append(allocation(warden))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static double mean(RunResult r) {
        return r.getPrimaryResult().getScore();
    }

    /** The median operation in sample-time mode (in average-time mode, the median iteration). */
    private static double median(RunResult r) {
        return r.getPrimaryResult().getStatistics().getPercentile(50.0);
    }

    private static double average(List<RunResult> rs, ToDoubleFunction<RunResult> statistic) {
        return rs.stream().mapToDouble(statistic).average().orElse(Double.NaN);
    }

    /** The ratio of the rounds' averages, then each round's own ratio when there are several. */
    private static String ratios(List<RunResult> raw, List<RunResult> warden, ToDoubleFunction<RunResult> statistic) {
        String all = String.format(Locale.ROOT, "%.2f", average(warden, statistic) / average(raw, statistic));
        if (raw.size() < 2) return all;
        List<String> perRound = new ArrayList<>();
        for (int i = 0; i < Math.min(raw.size(), warden.size()); i++) {
            perRound.add(String.format(Locale.ROOT, "%.2f",
                    statistic.applyAsDouble(warden.get(i)) / statistic.applyAsDouble(raw.get(i))));
        }
        return all + " (" + String.join(", ", perRound) + ")";
    }

    /** "mean ± error (median)", one per round. */
    private static String scores(List<RunResult> rs) {
        List<String> parts = new ArrayList<>();
        for (RunResult r : rs) {
            Result<?> p = r.getPrimaryResult();
            String mean = Double.isNaN(p.getScoreError())
                    ? String.format(Locale.ROOT, "%.1f", p.getScore())
                    : String.format(Locale.ROOT, "%.1f ± %.1f", p.getScore(), p.getScoreError());
            parts.add(mean + String.format(Locale.ROOT, " (%.1f)", median(r)));
        }
        return String.join("; ", parts);
    }

    /** The gc profiler's normalised allocation rate, when it ran. */
    private static String allocation(List<RunResult> rs) {
        List<String> parts = new ArrayList<>();
        for (RunResult r : rs) {
            for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    parts.add(String.format(Locale.ROOT, "%.0f", e.getValue().getScore()));
                }
            }
        }
        return String.join("; ", parts);
    }
}
