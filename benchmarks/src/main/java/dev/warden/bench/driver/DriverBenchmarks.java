package dev.warden.bench.driver;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the driver benchmarks through the JMH Runner API and prints, per scenario, raw and Warden µs/op, their
 * ratio and the target, as a Markdown table for benchmarks/README.md. Command-line tool; prints to standard output.
 *
 * <p>By default each scenario runs as {@link InterleavedDriverBenchmark}: one fork in which raw and Warden take
 * turns, iteration by iteration; the table compares the medians of the two halves' per-iteration medians and
 * gives the spread of the per-pair ratios. {@code --separate-forks} runs {@link DriverBenchmark} instead, each
 * half in its own fork, back to back (what benchmarks/README.md reported before 2026-12-01's last run).
 *
 * <pre>
 * --rounds N       run the whole suite N times, default 1
 * --only S,S       scenarios to run (pointSelect, pointSelectReused, insert, rangeSelect, plainPointSelect)
 * --separate-forks raw and Warden in separate forks (DriverBenchmark) instead of interleaved in one
 * --variant V      with --separate-forks: raw, warden or both (default)
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
        boolean separateForks = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rounds" -> { rounds = Integer.parseInt(value); i++; }
                case "--only" -> { only.addAll(List.of(value.split(","))); i++; }
                case "--variant" -> { variant = value; i++; }
                case "--separate-forks" -> separateForks = true;
                case "--prof" -> { profilers.add(value); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(value); i++; }
                case "--iterations" -> { iterations = Integer.parseInt(value); i++; }
                case "--time" -> { time = Integer.parseInt(value); i++; }
                case "--forks" -> { forks = Integer.parseInt(value); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Scenario> chosen = SCENARIOS.stream().filter(s -> only.isEmpty() || only.contains(s.name())).toList();
        if (!separateForks) {
            int warmupIterations = warmup != null ? warmup : 6;
            String include = InterleavedDriverBenchmark.class.getName().replace(".", "\\.") + "\\.("
                    + String.join("|", chosen.stream().map(Scenario::name).toList()) + ")$";
            Map<String, List<Turns>> turns = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                ChainedOptionsBuilder options = new OptionsBuilder().include(include).warmupIterations(warmupIterations);
                for (String p : profilers) options.addProfiler(p);
                if (iterations != null) options.measurementIterations(iterations);
                if (time != null) {
                    options.warmupTime(TimeValue.seconds(time)).measurementTime(TimeValue.seconds(time));
                }
                for (RunResult r : new Runner(options.build()).run()) {
                    String method = r.getParams().getBenchmark();
                    turns.computeIfAbsent(method.substring(method.lastIndexOf('.') + 1), k -> new ArrayList<>())
                            .add(Turns.of(r, warmupIterations));
                }
            }
            System.out.println();
            System.out.println(interleavedTable(chosen, turns));
            return;
        }
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

    /** One interleaved run: the per-iteration medians of the raw and the Warden turns, in order. */
    private record Turns(List<Double> raw, List<Double> warden) {

        /** Splits a run's measurement iterations by parity (see {@link InterleavedDriverBenchmark.Turn}). */
        static Turns of(RunResult run, int warmupIterations) {
            List<Double> raw = new ArrayList<>(), warden = new ArrayList<>();
            for (BenchmarkResult fork : run.getBenchmarkResults()) {
                int iteration = warmupIterations;
                for (IterationResult i : fork.getIterationResults()) {
                    double median = i.getPrimaryResult().getStatistics().getPercentile(50.0);
                    ((iteration++ & 1) == 1 ? warden : raw).add(median);
                }
            }
            return new Turns(raw, warden);
        }

        double ratio() {
            return medianOf(warden) / medianOf(raw);
        }

        /** Each Warden turn against the raw turn just before it. */
        List<Double> pairRatios() {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(raw.size(), warden.size()); i++) {
                ratios.add(warden.get(i) / raw.get(i));
            }
            return ratios;
        }
    }

    private static String interleavedTable(List<Scenario> chosen, Map<String, List<Turns>> results) {
        StringBuilder out = new StringBuilder();
        out.append("| Scenario | raw µs/op | Warden µs/op | Warden / raw | pairs' ratios (25th–75th percentile)"
                + " | Target | Met |\n");
        out.append("|---|---:|---:|---:|:-:|---:|:-:|\n");
        for (Scenario s : chosen) {
            List<Turns> runs = results.getOrDefault(s.name(), List.of());
            if (runs.isEmpty()) continue;
            List<String> raw = new ArrayList<>(), warden = new ArrayList<>(), ratio = new ArrayList<>(),
                    spread = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (Turns t : runs) {
                raw.add(String.format(Locale.ROOT, "%.1f", medianOf(t.raw())));
                warden.add(String.format(Locale.ROOT, "%.1f", medianOf(t.warden())));
                ratio.add(String.format(Locale.ROOT, "%.2f", t.ratio()));
                ratios.add(t.ratio());
                List<Double> pairs = t.pairRatios();
                spread.add(String.format(Locale.ROOT, "%.2f–%.2f", percentile(pairs, 25), percentile(pairs, 75)));
            }
            double overall = medianOf(ratios);
            out.append("| ").append(s.label())
                    .append(" | ").append(String.join("; ", raw))
                    .append(" | ").append(String.join("; ", warden))
                    .append(" | ").append(String.join("; ", ratio))
                    .append(" | ").append(String.join("; ", spread))
                    .append(" | ≤ ").append(String.format(Locale.ROOT, "%.2f", s.target()))
                    .append(" | ").append(overall <= s.target() ? "yes" : "no")
                    .append(" |\n");
        }
        return out.toString();
    }

    private static double medianOf(List<Double> values) {
        return percentile(values, 50);
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> sorted = values.stream().sorted().toList();
        double at = p / 100.0 * (sorted.size() - 1);
        int below = (int) Math.floor(at);
        int above = Math.min(sorted.size() - 1, below + 1);
        return sorted.get(below) + (at - below) * (sorted.get(above) - sorted.get(below));
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
