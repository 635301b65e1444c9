package io.reliablemq.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reliablemq.message.ReliableMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FallbackStore} must show, whatever the database. A concrete subclass
 * supplies {@link #openStore}, which must open the same underlying storage on every call within one
 * test (so reopening finds what was stored) and fresh storage per test. Shipped in the sdk-core
 * test-jar so dialect tests elsewhere (e.g. PostgreSQL in sdk-it) run the same suite.
 */
public abstract class FallbackStoreContractTest {
  /** A controllable clock: tests move time to expire leases. */
  protected final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00.000Z"));

  /** The store under test, opened before each test with {@link #config()}. */
  protected FallbackStore store;

  private final AtomicInteger ids = new AtomicInteger();

  /**
   * Opens the store under test at this test's location.
   *
   * @param config the settings chosen by the test; the subclass adds the location (directory,
   *     prefix) and builds
   * @return the open store
   */
  protected abstract FallbackStore openStore(FallbackStoreConfig.Builder config);

  /**
   * The base settings of every test: the test clock.
   *
   * @return a builder
   */
  protected FallbackStoreConfig.Builder config() {
    return FallbackStoreConfig.custom().clock(clock);
  }

  @BeforeEach
  void openStoreUnderTest() {
    store = openStore(config());
  }

  @AfterEach
  void closeStoreUnderTest() {
    if (store != null) {
      store.close();
    }
  }

  /**
   * Closes the store and opens it again with other settings.
   *
   * @param config the new settings
   */
  protected void reopen(FallbackStoreConfig.Builder config) {
    store.close();
    store = null;
    store = openStore(config);
  }

  /**
   * A message with a fresh id and a small body.
   *
   * @param topic the topic
   * @return the builder
   */
  protected ReliableMessage.Builder message(String topic) {
    return ReliableMessage.builder(topic).id("id-" + ids.incrementAndGet()).body("body");
  }

  private StoredEntry append(ReliableMessage m) {
    return store.append(m, false);
  }

  private StoredEntry appendGroup(String topic, String group) {
    return append(message(topic).messageGroup(group).build());
  }

  private static List<String> idsOf(List<StoredEntry> entries) {
    return entries.stream().map(StoredEntry::id).collect(Collectors.toList());
  }

  // ------------------------------------------------------------------ round trip

  @Test
  void appendedEntryRoundTripsEveryField() {
    byte[] body = new byte[1024];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put("order", "42");
    props.put("city", "Zürich");
    props.put("emoji", "\uD83D\uDE80 launch");
    props.put("a&b=c", "x%20y+z&=");
    ReliableMessage m =
        ReliableMessage.builder("orders")
            .id("0191b3a0-0000-7000-8000-000000000001")
            .body(body)
            .tag("created")
            .keys("k1", "key two", "ключ&=")
            .properties(props)
            .deliveryTime(Instant.parse("2025-03-01T11:00:00.123Z"))
            .build();

    StoredEntry appended = store.append(m, true);

    assertThat(appended.id()).isEqualTo("0191b3a0-0000-7000-8000-000000000001");
    assertThat(appended.state()).isEqualTo(EntryState.PENDING);
    assertThat(appended.attempts()).isZero();
    assertThat(appended.storedAt()).isEqualTo(clock.instant());
    StoredEntry found = store.find(appended.id()).orElseThrow();
    assertThat(found.message()).isEqualTo(m);
    assertThat(found.message().body()).isEqualTo(body);
    assertThat(found.message().properties()).containsExactlyEntriesOf(props);
    assertThat(found.message().keys()).containsExactly("k1", "key two", "ключ&=");
    assertThat(found.transactional()).isTrue();
    assertThat(found.sequence()).isEqualTo(appended.sequence());
    assertThat(found.storedAt()).isEqualTo(clock.instant());
    assertThat(found.state()).isEqualTo(EntryState.PENDING);
    assertThat(found.lastError()).isEmpty();
    assertThat(store.list(0, 10))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo(m));
  }

  @Test
  void messageGroupAndPlainMessageRoundTrip() {
    ReliableMessage fifo = message("fifo").messageGroup("customer-7").build();
    ReliableMessage plain = message("plain").build();

    store.append(fifo, false);
    store.append(plain, false);

    StoredEntry f = store.find(fifo.id().orElseThrow()).orElseThrow();
    assertThat(f.message()).isEqualTo(fifo);
    assertThat(f.transactional()).isFalse();
    StoredEntry p = store.find(plain.id().orElseThrow()).orElseThrow();
    assertThat(p.message()).isEqualTo(plain);
    assertThat(p.message().tag()).isEmpty();
    assertThat(p.message().keys()).isEmpty();
    assertThat(p.message().properties()).isEmpty();
    assertThat(p.message().messageGroup()).isEmpty();
    assertThat(p.message().deliveryTime()).isEmpty();
  }

  @Test
  void deliveryDelayIsStoredAsAbsoluteTime() {
    ReliableMessage m = message("delay").deliveryDelay(Duration.ofMinutes(5)).build();

    store.append(m, false);
    clock.advance(Duration.ofMinutes(3));

    StoredEntry found = store.find(m.id().orElseThrow()).orElseThrow();
    assertThat(found.message().deliveryTime()).contains(Instant.parse("2025-03-01T10:05:00.000Z"));
    assertThat(found.message().deliveryDelay()).isEmpty();
  }

  @Test
  void findOfUnknownIdIsEmpty() {
    assertThat(store.find("nope")).isEmpty();
  }

  @Test
  void appendWithoutIdIsRejectedAndStoresNothing() {
    ReliableMessage noId = ReliableMessage.builder("t").body("x").build();

    assertThatThrownBy(() -> store.append(noId, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.count()).isZero();
  }

  @Test
  void entriesAreListedOldestFirstAndPaged() {
    List<String> appended = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      appended.add(append(message("t").build()).id());
      clock.advance(Duration.ofMillis(1));
    }

    assertThat(idsOf(store.list(0, 100))).containsExactlyElementsOf(appended);
    assertThat(idsOf(store.list(2, 3))).containsExactlyElementsOf(appended.subList(2, 5));
    assertThat(idsOf(store.list(6, 3))).containsExactly(appended.get(6));
    assertThat(store.list(7, 3)).isEmpty();
    List<StoredEntry> all = store.list(0, 100);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).sequence()).isGreaterThan(all.get(i - 1).sequence());
    }
  }

  // ------------------------------------------------------------------ claims

  @Test
  void claimReturnsOldestPendingEntriesFirst() {
    StoredEntry a = append(message("t").build());
    StoredEntry b = append(message("t").build());
    StoredEntry c = append(message("t").build());

    assertThat(idsOf(store.claim("r1", 2, Duration.ofSeconds(30)))).containsExactly(a.id(), b.id());
    assertThat(idsOf(store.claim("r1", 2, Duration.ofSeconds(30)))).containsExactly(c.id());
  }

  @Test
  void leasedEntryIsNotClaimedTwiceWhileLeaseLives() {
    StoredEntry a = append(message("t").build());

    assertThat(idsOf(store.claim("r1", 10, Duration.ofSeconds(30)))).containsExactly(a.id());
    assertThat(store.claim("r2", 10, Duration.ofSeconds(30))).isEmpty();
    assertThat(store.claim("r1", 10, Duration.ofSeconds(30))).isEmpty();
    clock.advance(Duration.ofSeconds(29));
    assertThat(store.claim("r2", 10, Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  void expiredLeaseCanBeClaimedByAnotherOwner() {
    StoredEntry a = append(message("t").build());
    store.claim("r1", 10, Duration.ofSeconds(30));

    clock.advance(Duration.ofSeconds(31));

    assertThat(idsOf(store.claim("r2", 10, Duration.ofSeconds(30)))).containsExactly(a.id());
  }

  @Test
  void concurrentClaimersNeverGetTheSameEntry() throws Exception {
    for (int i = 0; i < 200; i++) {
      append(message("t").build());
    }
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String owner = "r" + t;
        futures.add(
            pool.submit(
                () -> {
                  List<StoredEntry> got;
                  while (!(got = store.claim(owner, 7, Duration.ofMinutes(5))).isEmpty()) {
                    for (StoredEntry e : got) {
                      if (!seen.add(e.id())) {
                        duplicates.incrementAndGet();
                      }
                    }
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(duplicates).hasValue(0);
    assertThat(seen).hasSize(200);
  }

  @Test
  void laterEntryOfGroupWaitsWhileEarlierIsLeasedByAnotherOwner() {
    StoredEntry g1 = appendGroup("fifo", "G");
    StoredEntry g2 = appendGroup("fifo", "G");
    StoredEntry other = appendGroup("fifo", "H");

    assertThat(idsOf(store.claim("r1", 1, Duration.ofSeconds(30)))).containsExactly(g1.id());
    assertThat(idsOf(store.claim("r2", 10, Duration.ofSeconds(30)))).containsExactly(other.id());
    // The owner of the head may take the rest of its group, in order.
    assertThat(idsOf(store.claim("r1", 10, Duration.ofSeconds(30)))).containsExactly(g2.id());
  }

  @Test
  void sameGroupNameOnAnotherTopicIsIndependent() {
    StoredEntry a1 = appendGroup("fifo-a", "G");
    StoredEntry b1 = appendGroup("fifo-b", "G");

    assertThat(idsOf(store.claim("r1", 1, Duration.ofSeconds(30)))).containsExactly(a1.id());
    assertThat(idsOf(store.claim("r2", 10, Duration.ofSeconds(30)))).containsExactly(b1.id());
  }

  @Test
  void groupIsReleasedWhenHeadLeaseExpires() {
    StoredEntry g1 = appendGroup("fifo", "G");
    StoredEntry g2 = appendGroup("fifo", "G");
    store.claim("r1", 1, Duration.ofSeconds(30));

    clock.advance(Duration.ofSeconds(31));

    assertThat(idsOf(store.claim("r2", 10, Duration.ofSeconds(30))))
        .containsExactly(g1.id(), g2.id());
  }

  @Test
  void parkedHeadBlocksItsGroupButNotOthers() {
    StoredEntry g1 = appendGroup("fifo", "G");
    StoredEntry g2 = appendGroup("fifo", "G");
    StoredEntry h1 = appendGroup("fifo", "H");
    StoredEntry plain = append(message("fifo").build());
    store.claim("r1", 1, Duration.ofSeconds(30));
    store.park(g1.id(), "ForbiddenException: no permission");

    assertThat(idsOf(store.claim("r1", 10, Duration.ofSeconds(30))))
        .containsExactly(h1.id(), plain.id());
    assertThat(store.claim("r2", 10, Duration.ofSeconds(30))).isEmpty();

    store.unpark(g1.id());
    assertThat(idsOf(store.claim("r2", 10, Duration.ofSeconds(30))))
        .containsExactly(g1.id(), g2.id());
  }

  // ------------------------------------------------------------------ failures, park, delete

  @Test
  void recordFailureCountsAttemptKeepsErrorAndReleasesLease() {
    StoredEntry a = append(message("t").build());
    store.claim("r1", 10, Duration.ofMinutes(5));

    store.recordFailure(a.id(), "ProxyTimeoutException: deadline");

    StoredEntry after = store.find(a.id()).orElseThrow();
    assertThat(after.attempts()).isEqualTo(1);
    assertThat(after.lastError()).contains("ProxyTimeoutException: deadline");
    assertThat(after.state()).isEqualTo(EntryState.PENDING);
    assertThat(idsOf(store.claim("r2", 10, Duration.ofMinutes(5)))).containsExactly(a.id());
  }

  @Test
  void release_freesTheLeasesOfUntriedEntries_withoutCountingAnAttemptOrTouchingTheLastError() {
    StoredEntry tried = append(message("t").build());
    store.claim("r1", 10, Duration.ofMinutes(5));
    store.recordFailure(tried.id(), "ProxyTimeoutException: deadline");
    List<StoredEntry> untried = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      untried.add(appendGroup("fifo", "G"));
    }
    List<String> all = new ArrayList<>(List.of(tried.id()));
    all.addAll(idsOf(untried));
    assertThat(idsOf(store.claim("r1", 100, Duration.ofMinutes(5)))).isEqualTo(all);

    assertThat(store.release("r1", all)).isEqualTo(51);

    StoredEntry t = store.find(tried.id()).orElseThrow();
    assertThat(t.attempts()).isEqualTo(1);
    assertThat(t.lastError()).contains("ProxyTimeoutException: deadline");
    for (StoredEntry e : untried) {
      StoredEntry after = store.find(e.id()).orElseThrow();
      assertThat(after.attempts()).as(e.id()).isZero();
      assertThat(after.lastError()).as(e.id()).isEmpty();
      assertThat(after.state()).isEqualTo(EntryState.PENDING);
    }
    // Released, not expired: the clock has not moved, yet another owner gets them all, in order.
    assertThat(idsOf(store.claim("r2", 100, Duration.ofMinutes(5)))).isEqualTo(all);
    assertThat(store.release("r2", List.of())).isZero();
  }

  /**
   * Whether the store frees every lease when it is opened: true only where one process alone can
   * open it (an embedded H2 file under its file lock).
   *
   * @return false by default
   */
  protected boolean releasesLeasesOnOpen() {
    return false;
  }

  @Test
  void reopen_freesTheLeasesOfAKilledInstance_onlyWhereOneProcessAloneCanOpenTheStore() {
    StoredEntry a = append(message("t").build());
    StoredEntry g = appendGroup("fifo", "G");
    // The instance that claimed these was killed: nothing released them.
    assertThat(idsOf(store.claim("dead-instance", 10, Duration.ofSeconds(60))))
        .containsExactly(a.id(), g.id());

    reopen(config());

    // The clock has not moved: only a release at open hands them out now.
    List<StoredEntry> claimed = store.claim("restarted-instance", 10, Duration.ofSeconds(60));
    if (releasesLeasesOnOpen()) {
      assertThat(idsOf(claimed)).containsExactly(a.id(), g.id());
    } else {
      assertThat(claimed).isEmpty();
    }
  }

  @Test
  void releaseOwner_freesEveryLeaseOfThatOwner_andNoOtherOwners() {
    StoredEntry a = append(message("t").build());
    StoredEntry b = append(message("t").build());
    StoredEntry c = append(message("t").build());
    assertThat(idsOf(store.claim("replayer-instance-1", 2, Duration.ofSeconds(60))))
        .containsExactly(a.id(), b.id());
    assertThat(idsOf(store.claim("replayer-other", 1, Duration.ofSeconds(60))))
        .containsExactly(c.id());

    assertThat(store.releaseOwner("replayer-instance-1")).isEqualTo(2);

    assertThat(idsOf(store.claim("replayer-instance-1", 10, Duration.ofSeconds(60))))
        .containsExactly(a.id(), b.id());
    assertThat(store.releaseOwner("nobody")).isZero();
    assertThat(store.find(c.id()).orElseThrow().attempts()).isZero();
    assertThat(store.claim("replayer-third", 10, Duration.ofSeconds(60))).isEmpty();
  }

  @Test
  void release_leavesALeaseThatPassedToAnotherOwner() {
    StoredEntry a = append(message("t").build());
    store.claim("r1", 10, Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(31));
    assertThat(idsOf(store.claim("r2", 10, Duration.ofSeconds(30)))).containsExactly(a.id());

    assertThat(store.release("r1", List.of(a.id(), "unknown"))).isZero();

    assertThat(store.claim("r3", 10, Duration.ofSeconds(30))).isEmpty();
  }

  @Test
  void blockedGroups_nameEachGroupByItsEarliestParkedEntry_untilItIsDeletedOrUnparked() {
    StoredEntry g1 = appendGroup("fifo", "G");
    StoredEntry g2 = appendGroup("fifo", "G");
    StoredEntry h1 = appendGroup("fifo", "H");
    StoredEntry k1 = appendGroup("other", "G");
    StoredEntry k2 = appendGroup("other", "G");
    appendGroup("fifo", "G");
    StoredEntry plain = append(message("fifo").build());
    store.park(g1.id(), "ForbiddenException: no permission");
    store.park(k1.id(), "NotFoundException: topic other");
    store.park(k2.id(), "NotFoundException: topic other");
    store.park(plain.id(), "BadRequestException: illegal tag");
    assertThat(store.countBlockedGroups()).isEqualTo(2);

    List<BlockedGroup> blocked = store.blockedGroups(10);

    assertThat(blocked)
        .containsExactly(
            new BlockedGroup(
                "fifo", "G", g1.id(), Optional.of("ForbiddenException: no permission"), 2),
            new BlockedGroup(
                "other", "G", k1.id(), Optional.of("NotFoundException: topic other"), 1));
    assertThat(store.blockedGroups(1)).hasSize(1);
    assertThat(idsOf(store.claim("r1", 10, Duration.ofMinutes(5)))).containsExactly(h1.id());

    assertThat(store.delete(g1.id())).isTrue();
    assertThat(store.blockedGroups(10)).extracting(BlockedGroup::topic).containsExactly("other");
    assertThat(idsOf(store.claim("r1", 10, Duration.ofMinutes(5)))).startsWith(g2.id());

    store.unpark(k1.id());
    store.unpark(k2.id());
    assertThat(store.countBlockedGroups()).isZero();
    assertThat(store.blockedGroups(10)).isEmpty();
  }

  @Test
  void parkedEntryIsKeptCountedAndNotClaimedUntilUnparked() {
    StoredEntry a = append(message("t").build());
    store.claim("r1", 10, Duration.ofMinutes(5));

    store.park(a.id(), "BadRequestException: illegal tag");

    StoredEntry parked = store.find(a.id()).orElseThrow();
    assertThat(parked.state()).isEqualTo(EntryState.PARKED);
    assertThat(parked.lastError()).contains("BadRequestException: illegal tag");
    assertThat(store.count(EntryState.PARKED)).isEqualTo(1);
    assertThat(store.count(EntryState.PENDING)).isZero();
    assertThat(store.claim("r1", 10, Duration.ofMinutes(5))).isEmpty();

    assertThat(store.unpark(a.id())).isTrue();
    assertThat(store.unpark(a.id())).isFalse();
    assertThat(store.find(a.id()).orElseThrow().state()).isEqualTo(EntryState.PENDING);
    assertThat(idsOf(store.claim("r1", 10, Duration.ofMinutes(5)))).containsExactly(a.id());
  }

  @Test
  void deleteRemovesOnlyThatEntry() {
    StoredEntry a = append(message("t").build());
    StoredEntry b = append(message("t").build());

    assertThat(store.delete(a.id())).isTrue();
    assertThat(store.delete(a.id())).isFalse();
    assertThat(store.delete("unknown")).isFalse();

    assertThat(store.find(a.id())).isEmpty();
    assertThat(idsOf(store.list(0, 10))).containsExactly(b.id());
  }

  @Test
  void deleteAllRemovesTheGivenEntriesTogether_andLowersTheirGroupFences() {
    StoredEntry a = appendGroup("fifo", "G");
    StoredEntry b = appendGroup("fifo", "G");
    StoredEntry c = appendGroup("fifo", "H");

    assertThat(store.deleteAll(List.of(a.id(), b.id(), "unknown"))).isEqualTo(2);

    assertThat(idsOf(store.list(0, 10))).containsExactly(c.id());
    assertThat(store.count()).isEqualTo(1);
    assertThat(store.holdsGroup("fifo", "G")).isFalse();
    assertThat(store.holdsGroup("fifo", "H")).isTrue();
    assertThat(store.deleteAll(List.of())).isZero();
  }

  @Test
  void groupIsHeldWhileAnyOfItsEntriesIsPendingOrParked() {
    assertThat(store.holdsGroup("fifo", "G")).isFalse();
    StoredEntry g1 = appendGroup("fifo", "G");
    StoredEntry g2 = appendGroup("fifo", "G");

    assertThat(store.holdsGroup("fifo", "G")).isTrue();
    assertThat(store.holdsGroup("other-topic", "G")).isFalse();
    assertThat(store.holdsGroup("fifo", "H")).isFalse();

    store.park(g1.id(), "error");
    store.delete(g2.id());
    assertThat(store.holdsGroup("fifo", "G")).isTrue();
    store.delete(g1.id());
    assertThat(store.holdsGroup("fifo", "G")).isFalse();
  }

  // ------------------------------------------------------------------ counts and capacity

  @Test
  void countsAndOldestStoredAt() {
    assertThat(store.count()).isZero();
    assertThat(store.oldestStoredAt()).isEmpty();
    Instant first = clock.instant();
    StoredEntry a = append(message("t").build());
    clock.advance(Duration.ofSeconds(10));
    append(message("t").build());
    append(message("t").build());
    store.park(a.id(), "error");

    assertThat(store.count()).isEqualTo(3);
    assertThat(store.count(EntryState.PENDING)).isEqualTo(2);
    assertThat(store.count(EntryState.PARKED)).isEqualTo(1);
    assertThat(store.oldestStoredAt()).contains(first);
    store.delete(a.id());
    assertThat(store.oldestStoredAt()).contains(first.plusSeconds(10));
  }

  @Test
  void fullByRowsRefusesTheAppendAndKeepsExistingEntries() {
    reopen(config().maxRows(3));
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      kept.add(append(message("t").build()).id());
    }
    ReliableMessage refused = message("t").build();

    assertThatThrownBy(() -> store.append(refused, false))
        .isInstanceOfSatisfying(
            FallbackStoreFullException.class,
            e -> {
              assertThat(e.rows()).isEqualTo(3);
              assertThat(e.maxRows()).isEqualTo(3);
            });
    assertThat(store.find(refused.id().orElseThrow())).isEmpty();
    assertThat(idsOf(store.list(0, 10))).containsExactlyElementsOf(kept);

    store.delete(kept.get(0));
    assertThat(store.append(refused, false).id()).isEqualTo(refused.id().orElseThrow());
  }

  @Test
  void fullByBytesRefusesTheAppendAndKeepsExistingEntries() {
    reopen(config().maxBytes(2500));
    StoredEntry a = append(message("t").body(new byte[1000]).build());
    StoredEntry b = append(message("t").body(new byte[1000]).build());
    ReliableMessage refused = message("t").body(new byte[501]).build();

    assertThatThrownBy(() -> store.append(refused, false))
        .isInstanceOfSatisfying(
            FallbackStoreFullException.class,
            e -> {
              assertThat(e.bytes()).isEqualTo(2000);
              assertThat(e.maxBytes()).isEqualTo(2500);
            });
    assertThat(idsOf(store.list(0, 10))).containsExactly(a.id(), b.id());
    assertThat(store.find(a.id()).orElseThrow().message().bodyLength()).isEqualTo(1000);
    // Exactly at the limit still fits.
    store.append(message("t").body(new byte[500]).build(), false);
    assertThat(store.count()).isEqualTo(3);
  }

  @Test
  void capacityCountsSurviveReopen() {
    reopen(config().maxRows(2));
    append(message("t").build());
    append(message("t").build());

    reopen(config().maxRows(2));

    assertThatThrownBy(() -> append(message("t").build()))
        .isInstanceOf(FallbackStoreFullException.class);
  }

  // ------------------------------------------------------------------ concurrency and reopen

  @Test
  void concurrentAppendsFromEightThreadsAreAllStored() throws Exception {
    int threads = 8;
    int perThread = 250;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    ReliableMessage m =
                        ReliableMessage.builder("t")
                            .id("t" + thread + "-" + i)
                            .body(new byte[1024])
                            .messageGroup(i % 2 == 0 ? "g" + thread : null)
                            .build();
                    acknowledged.add(store.append(m, false).id());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(acknowledged).hasSize(threads * perThread);
    assertThat(store.count()).isEqualTo(threads * perThread);
    Set<String> stored =
        store.list(0, threads * perThread).stream()
            .map(StoredEntry::id)
            .collect(Collectors.toSet());
    assertThat(stored).isEqualTo(acknowledged);
    // Each thread's own appends keep its order.
    for (int t = 0; t < threads; t++) {
      String prefix = "t" + t + "-";
      List<Integer> order =
          store.list(0, threads * perThread).stream()
              .map(StoredEntry::id)
              .filter(id -> id.startsWith(prefix))
              .map(id -> Integer.parseInt(id.substring(prefix.length())))
              .collect(Collectors.toList());
      assertThat(order).isSorted();
    }
  }

  @Test
  void reopenKeepsEntriesStatesAttemptsAndFences() {
    StoredEntry a = append(message("t").tag("x").property("p", "v").build());
    StoredEntry g = appendGroup("fifo", "G");
    StoredEntry c = append(message("t").build());
    store.recordFailure(a.id(), "timeout");
    store.park(c.id(), "forbidden");
    List<StoredEntry> before = store.list(0, 10);

    reopen(config());

    List<StoredEntry> after = store.list(0, 10);
    assertThat(idsOf(after)).containsExactly(a.id(), g.id(), c.id());
    for (int i = 0; i < before.size(); i++) {
      StoredEntry x = before.get(i);
      StoredEntry y = after.get(i);
      assertThat(y.message()).isEqualTo(x.message());
      assertThat(y.sequence()).isEqualTo(x.sequence());
      assertThat(y.attempts()).isEqualTo(x.attempts());
      assertThat(y.lastError()).isEqualTo(x.lastError());
      assertThat(y.state()).isEqualTo(x.state());
      assertThat(y.storedAt()).isEqualTo(x.storedAt());
    }
    assertThat(store.holdsGroup("fifo", "G")).isTrue();
    assertThat(store.count(EntryState.PARKED)).isEqualTo(1);
    StoredEntry d = append(message("t").build());
    assertThat(d.sequence()).isGreaterThan(c.sequence());
  }

  @Test
  void closedStoreRefusesAppends() {
    FallbackStore closing = store;
    closing.close();
    store = null;

    assertThatThrownBy(() -> closing.append(message("t").build(), false))
        .isInstanceOf(FallbackStoreException.class)
        .hasMessageContaining("closed");
  }

  /** A clock tests move by hand; thread-safe. */
  public static final class MutableClock extends Clock {
    private volatile Instant now;

    /**
     * Creates the clock.
     *
     * @param start the initial instant
     */
    public MutableClock(Instant start) {
      this.now = start;
    }

    /**
     * Moves the clock forward.
     *
     * @param d how far
     */
    public synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
