/**
 * What Nimbus measures about itself, under the seed design's metric names, exported at
 * {@code /metrics} in Prometheus text format.
 */
package io.nimbus.metrics;
