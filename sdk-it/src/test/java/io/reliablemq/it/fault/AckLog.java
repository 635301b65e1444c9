package io.reliablemq.it.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The producer's acknowledgement log: one line {@code ACK <id> <status> <thread> <index> <group>}
 * per {@code send} that returned, written with one unbuffered write so a SIGKILL of the producer
 * loses no written line (the OS holds it); only a line torn by the kill can be incomplete, and
 * {@link #read} skips it.
 */
final class AckLog implements AutoCloseable {
  /**
   * One acknowledged send. {@code group} is null outside FIFO; {@code atMillis} (wall clock when
   * {@code send} returned) and {@code micros} (how long it took) are 0 when not logged.
   */
  record Ack(
      String id, String status, int thread, long index, String group, long atMillis, long micros) {
    Ack(String id, String status, int thread, long index, String group) {
      this(id, status, thread, index, group, 0, 0);
    }
  }

  private final FileChannel channel;

  AckLog(Path file) {
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized void append(Ack a) {
    String line =
        "ACK "
            + a.id()
            + ' '
            + a.status()
            + ' '
            + a.thread()
            + ' '
            + a.index()
            + ' '
            + (a.group() == null ? "-" : a.group())
            + ' '
            + a.atMillis()
            + ' '
            + a.micros()
            + '\n';
    ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Complete lines only; a torn last line (killed mid-write) is not an acknowledgement. */
  static List<Ack> read(Path file) {
    List<Ack> acks = new ArrayList<>();
    if (!Files.exists(file)) {
      return acks;
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return acks;
    }
    for (String line : text.substring(0, end).split("\n")) {
      String[] p = line.split(" ");
      if ((p.length != 6 && p.length != 8) || !p[0].equals("ACK")) {
        throw new IllegalStateException("malformed ack line: " + line);
      }
      acks.add(
          new Ack(
              p[1],
              p[2],
              Integer.parseInt(p[3]),
              Long.parseLong(p[4]),
              p[5].equals("-") ? null : p[5],
              p.length == 8 ? Long.parseLong(p[6]) : 0,
              p.length == 8 ? Long.parseLong(p[7]) : 0));
    }
    return acks;
  }
}
