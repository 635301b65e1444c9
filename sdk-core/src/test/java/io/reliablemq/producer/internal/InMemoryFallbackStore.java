package io.reliablemq.producer.internal;

import io.reliablemq.fallback.BlockedGroup;
import io.reliablemq.fallback.EntryState;
import io.reliablemq.fallback.FallbackStore;
import io.reliablemq.fallback.FallbackStoreFullException;
import io.reliablemq.fallback.StoredEntry;
import io.reliablemq.message.ReliableMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A small in-memory {@link FallbackStore} for unit tests of the producer and replayer. */
final class InMemoryFallbackStore implements FallbackStore {
  private final Map<String, StoredEntry> entries = new LinkedHashMap<>();
  private final Map<String, String> leases = new LinkedHashMap<>();
  private final int maxRows;
  private long sequence;

  InMemoryFallbackStore(int maxRows) {
    this.maxRows = maxRows;
  }

  @Override
  public synchronized StoredEntry append(ReliableMessage message, boolean transactional) {
    if (entries.size() >= maxRows) {
      throw new FallbackStoreFullException(entries.size(), 0, maxRows, Long.MAX_VALUE);
    }
    StoredEntry e =
        new StoredEntry(
            ++sequence, message, transactional, Instant.now(), 0, null, EntryState.PENDING);
    entries.put(e.id(), e);
    return e;
  }

  @Override
  public synchronized boolean holdsGroup(String topic, String messageGroup) {
    return entries.values().stream()
        .anyMatch(
            e ->
                e.message().topic().equals(topic)
                    && e.message().messageGroup().filter(messageGroup::equals).isPresent());
  }

  @Override
  public synchronized List<StoredEntry> claim(String owner, int max, Duration lease) {
    List<StoredEntry> out = new ArrayList<>();
    Set<String> blocked = new HashSet<>();
    for (StoredEntry e : entries.values()) {
      String group =
          e.message().messageGroup().map(g -> e.message().topic() + "/" + g).orElse(null);
      boolean free = !leases.containsKey(e.id());
      if (group != null && blocked.contains(group)) {
        continue;
      }
      if (e.state() == EntryState.PARKED || !free) {
        if (group != null) {
          blocked.add(group);
        }
        continue;
      }
      if (out.size() < max) {
        leases.put(e.id(), owner);
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public synchronized boolean delete(String id) {
    leases.remove(id);
    return entries.remove(id) != null;
  }

  @Override
  public synchronized void recordFailure(String id, String error) {
    leases.remove(id);
    StoredEntry e = entries.get(id);
    if (e != null) {
      entries.put(id, copy(e, e.attempts() + 1, error, e.state()));
    }
  }

  @Override
  public synchronized int release(String owner, Collection<String> ids) {
    int released = 0;
    for (String id : ids) {
      if (leases.remove(id, owner)) {
        released++;
      }
    }
    return released;
  }

  @Override
  public synchronized List<BlockedGroup> blockedGroups(int limit) {
    Map<String, BlockedGroup> blocked = new LinkedHashMap<>();
    for (StoredEntry e : entries.values()) {
      Optional<String> group = e.message().messageGroup();
      if (group.isEmpty()) {
        continue;
      }
      String key = e.message().topic() + "/" + group.get();
      BlockedGroup b = blocked.get(key);
      if (b != null) {
        blocked.put(
            key,
            new BlockedGroup(
                b.topic(),
                b.messageGroup(),
                b.parkedEntryId(),
                b.lastError(),
                b.entriesWaiting() + 1));
      } else if (e.state() == EntryState.PARKED) {
        blocked.put(
            key, new BlockedGroup(e.message().topic(), group.get(), e.id(), e.lastError(), 0));
      }
    }
    return blocked.values().stream().limit(limit).toList();
  }

  @Override
  public synchronized long countBlockedGroups() {
    return blockedGroups(Integer.MAX_VALUE).size();
  }

  @Override
  public synchronized void park(String id, String error) {
    leases.remove(id);
    StoredEntry e = entries.get(id);
    if (e != null) {
      entries.put(id, copy(e, e.attempts() + 1, error, EntryState.PARKED));
    }
  }

  @Override
  public synchronized boolean unpark(String id) {
    StoredEntry e = entries.get(id);
    if (e == null || e.state() != EntryState.PARKED) {
      return false;
    }
    entries.put(id, copy(e, e.attempts(), e.lastError().orElse(null), EntryState.PENDING));
    return true;
  }

  private static StoredEntry copy(StoredEntry e, int attempts, String error, EntryState state) {
    return new StoredEntry(
        e.sequence(), e.message(), e.transactional(), e.storedAt(), attempts, error, state);
  }

  @Override
  public synchronized long count() {
    return entries.size();
  }

  @Override
  public synchronized long count(EntryState state) {
    return entries.values().stream().filter(e -> e.state() == state).count();
  }

  @Override
  public synchronized Optional<Instant> oldestStoredAt() {
    return entries.values().stream().findFirst().map(StoredEntry::storedAt);
  }

  @Override
  public synchronized List<StoredEntry> list(long offset, int limit) {
    return entries.values().stream().skip(offset).limit(limit).toList();
  }

  @Override
  public synchronized Optional<StoredEntry> find(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  @Override
  public void close() {}
}
