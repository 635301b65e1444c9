package io.reliablemq.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One measured figure: the median over its rounds is the value, with min and max beside it so a
 * reader sees the spread; {@code ratioVsRaw} is set where the same figure was measured for the raw
 * client in alternating rounds, and {@code goal} where the issue names one.
 *
 * @param figure the figure's name, e.g. {@code B1 sync send 1t SDK}
 * @param unit the unit of value, min, median and max
 * @param rounds how many rounds (or samples) the spread is over
 * @param min the smallest round
 * @param median the median round, also the value
 * @param max the largest round
 * @param ratioVsRaw the median of the per-round SDK / raw ratios, or null
 * @param goal the goal, or null
 */
public record Figure(
    String figure,
    String unit,
    int rounds,
    double min,
    double median,
    double max,
    Double ratioVsRaw,
    Goal goal) {

  /**
   * A figure's goal, checked against its value.
   *
   * @param atLeast true when the value must be at least the threshold, false for at most
   * @param threshold the threshold
   */
  public record Goal(boolean atLeast, double threshold) {
    /**
     * A lower bound.
     *
     * @param threshold the least acceptable value
     * @return the goal
     */
    public static Goal atLeast(double threshold) {
      return new Goal(true, threshold);
    }

    /**
     * An upper bound.
     *
     * @param threshold the largest acceptable value
     * @return the goal
     */
    public static Goal atMost(double threshold) {
      return new Goal(false, threshold);
    }

    boolean isMetBy(double value) {
      return atLeast ? value >= threshold : value <= threshold;
    }

    @Override
    public String toString() {
      return (atLeast ? ">= " : "<= ") + Results.number(threshold);
    }
  }

  /** Validates the record. */
  public Figure {
    Objects.requireNonNull(figure, "figure");
    Objects.requireNonNull(unit, "unit");
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be >= 1, was " + rounds);
    }
  }

  /**
   * A figure from per-round values.
   *
   * @param figure the name
   * @param unit the unit
   * @param values one value per round
   * @return the figure
   */
  public static Figure of(String figure, String unit, List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("values must not be empty for " + figure);
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return new Figure(
        figure,
        unit,
        sorted.size(),
        sorted.get(0),
        median(sorted),
        sorted.get(sorted.size() - 1),
        null,
        null);
  }

  /**
   * The same figure with the ratio against the raw client.
   *
   * @param ratio the median ratio
   * @return a copy
   */
  public Figure withRatio(double ratio) {
    return new Figure(figure, unit, rounds, min, median, max, ratio, goal);
  }

  /**
   * The same figure with a goal.
   *
   * @param goal the goal
   * @return a copy
   */
  public Figure withGoal(Goal goal) {
    return new Figure(figure, unit, rounds, min, median, max, ratioVsRaw, goal);
  }

  /**
   * The reported value: the median over the rounds.
   *
   * @return the median
   */
  public double value() {
    return median;
  }

  /**
   * Whether the value meets the goal.
   *
   * @return null without a goal
   */
  public Boolean meetsGoal() {
    return goal == null ? null : goal.isMetBy(median);
  }

  static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * Per-round ratios {@code a[i] / b[i]}.
   *
   * @param a the numerators
   * @param b the denominators, paired by round
   * @return the ratios
   */
  static List<Double> ratios(List<Double> a, List<Double> b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(a.get(i) / b.get(i));
    }
    return out;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s = %s %s", figure, Results.number(median), unit);
  }
}
