package io.reliablemq.producer;

/** How a {@code send} ended when it returned normally. */
public enum SendStatus {
  /** The broker acknowledged the message; its broker message id is known. */
  SENT
}
