/**
 * Cron schedules: the expression language (five fields, {@code @every}, {@code @hourly} and
 * friends), a function's schedule, and the store port that fires each tick once.
 */
package io.nimbus.domain.cron;
