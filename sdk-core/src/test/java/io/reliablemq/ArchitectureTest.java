package io.reliablemq;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The package rules of the SDK (issue 19): no package cycles, only the API exported, each feature's
 * implementation its own. The rules read the main classes of sdk-core only; a violation names the
 * class and the dependency, and the fix belongs in the code (move a type, narrow a visibility), not
 * in a wider rule or a longer allow-list.
 */
@AnalyzeClasses(packages = "io.reliablemq", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "io.reliablemq";

  /** The shared implementation packages ({@code io.reliablemq.internal..}): open to the SDK. */
  private static final String SHARED_INTERNAL = ROOT + ".internal";

  /**
   * The only places where one feature's code may use another feature's implementation package,
   * origin package to target package. Each entry is a design decision, not a convenience.
   */
  private static final Map<String, Set<String>> CROSS_FEATURE_INTERNALS =
      Map.of(
          // The transactional sender is a producer with a transaction log: it runs the producer's
          // implementation (send pipeline, circuit, fallback replay of the outbox, the one
          // check-back dispatch per client) over the half-message send instead of copying it, so it
          // builds a ReliableProducerImpl (through its client factory) or joins the shared one.
          ROOT + ".transaction.internal",
          Set.of(ROOT + ".producer.internal"),
          // The backlog relay receives with its own client and hands each message to the same
          // MessageView -> ReceivedMessage translation the consumer uses
          // (ReliableConsumerImpl.toReceived), so a relayed message is read exactly as a consumed
          // one; the translation needs the consumer's public ReceivedMessage, so it cannot move to
          // the shared internal package without a cycle.
          ROOT + ".relay.internal",
          Set.of(ROOT + ".consumer.internal"));

  /**
   * (a) No cycles between the packages of the SDK. A slice is a package, except that a feature's
   * own {@code internal} package belongs to the feature's slice: the API's factory (for example
   * {@code ReliableProducer.create}) builds the implementation, which implements the API, so the
   * two are one unit and that one pair of edges is by design. Every other package, the shared
   * {@code io.reliablemq.internal} packages and nested features such as {@code fallback.jdbc}
   * included, is a slice of its own.
   */
  @ArchTest
  static final ArchRule noPackageCycles =
      SlicesRuleDefinition.slices().assignedFrom(new PackageUnits()).should().beFreeOfCycles();

  /**
   * (b) The public API never names an implementation type: no public or protected member of an
   * exported class has an {@code ..internal..} type in its signature (parameters, return and field
   * types, type arguments, thrown exceptions), and no exported class extends or implements one.
   */
  @ArchTest
  static final ArchRule apiCodeUnitsNameNoInternalType =
      codeUnits()
          .that(areExported())
          .should(nameNoInternalTypeInSignature())
          .because("the internal packages are not API and may change in any release");

  /** (b) for fields. */
  @ArchTest
  static final ArchRule apiFieldsNameNoInternalType =
      fields()
          .that(areExported())
          .should(nameNoInternalTypeInSignature())
          .because("the internal packages are not API and may change in any release");

  /** (b) for the types themselves: an exported class's supertypes. */
  @ArchTest
  static final ArchRule apiTypesExtendNoInternalType =
      classes()
          .that(areExportedTypes())
          .should(extendNoInternalType())
          .because("the internal packages are not API and may change in any release");

  /**
   * (c) A feature reaches only its own implementation package and the shared one: code of {@code
   * io.reliablemq.producer..} may use {@code io.reliablemq.producer.internal} and {@code
   * io.reliablemq.internal..}, never {@code io.reliablemq.consumer.internal}, except for the
   * commented entries of {@link #CROSS_FEATURE_INTERNALS}.
   */
  @ArchTest
  static final ArchRule featuresKeepToTheirOwnInternals =
      classes()
          .that()
          .resideInAPackage(ROOT + "..")
          .should(useOnlyOwnOrSharedInternals())
          .because(
              "a feature's implementation is private to it; share through the API or"
                  + " io.reliablemq.internal");

  // ---- helpers ----

  /** Whether a package is an implementation package ({@code internal} is one of its segments). */
  static boolean isInternal(String pkg) {
    return ("." + pkg + ".").contains(".internal.");
  }

  /**
   * The feature a package belongs to: its first segment below the root ({@code fallback} for {@code
   * io.reliablemq.fallback.jdbc}); empty for the root itself.
   */
  static String featureOf(String pkg) {
    if (!pkg.startsWith(ROOT + ".")) {
      return "";
    }
    String rest = pkg.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  /** The slice of rule (a): the package, with a trailing feature {@code .internal} dropped. */
  static final class PackageUnits implements SliceAssignment {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String pkg = javaClass.getPackageName();
      if (!pkg.equals(ROOT) && !pkg.startsWith(ROOT + ".")) {
        return SliceIdentifier.ignore();
      }
      if (pkg.endsWith(".internal") && !pkg.equals(SHARED_INTERNAL)) {
        pkg = pkg.substring(0, pkg.length() - ".internal".length());
      }
      return SliceIdentifier.of(pkg);
    }

    @Override
    public String getDescription() {
      return "the packages of io.reliablemq (a feature's own internal package in the feature's"
          + " slice)";
    }
  }

  /** Whether a class is visible to users: public, in an exported package, enclosed by such only. */
  static boolean isExportedType(JavaClass javaClass) {
    if (isInternal(javaClass.getPackageName())) {
      return false;
    }
    for (JavaClass c = javaClass; c != null; c = c.getEnclosingClass().orElse(null)) {
      if (!c.getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
    }
    return true;
  }

  static DescribedPredicate<JavaClass> areExportedTypes() {
    return DescribedPredicate.describe(
        "are public types of exported packages", ArchitectureTest::isExportedType);
  }

  static <M extends JavaMember> DescribedPredicate<M> areExported() {
    return DescribedPredicate.describe(
        "are public or protected members of public types of exported packages",
        member ->
            isExportedType(member.getOwner())
                && (member.getModifiers().contains(JavaModifier.PUBLIC)
                    || member.getModifiers().contains(JavaModifier.PROTECTED))
                // Bridge and other compiler-made members are not part of the written API.
                && !member.getModifiers().contains(JavaModifier.SYNTHETIC)
                && !member.getModifiers().contains(JavaModifier.BRIDGE));
  }

  static Set<JavaClass> signatureTypes(JavaMember member) {
    Set<JavaClass> types = new LinkedHashSet<>();
    if (member instanceof JavaField field) {
      types.addAll(field.getType().getAllInvolvedRawTypes());
    } else if (member instanceof JavaCodeUnit codeUnit) {
      types.addAll(codeUnit.getReturnType().getAllInvolvedRawTypes());
      for (JavaType parameter : codeUnit.getParameterTypes()) {
        types.addAll(parameter.getAllInvolvedRawTypes());
      }
      codeUnit.getThrowsClause().getTypes().forEach(types::add);
      codeUnit.getTypeParameters().forEach(t -> types.addAll(t.getAllInvolvedRawTypes()));
    }
    return types;
  }

  static <M extends JavaMember> ArchCondition<M> nameNoInternalTypeInSignature() {
    return new ArchCondition<>("name no type of an internal package in their signature") {
      @Override
      public void check(M member, ConditionEvents events) {
        for (JavaClass type : signatureTypes(member)) {
          JavaClass base = type.getBaseComponentType();
          if (isInternal(base.getPackageName()) && base.getPackageName().startsWith(ROOT)) {
            events.add(
                SimpleConditionEvent.violated(
                    member, member.getFullName() + " names internal type " + base.getName()));
          }
        }
      }
    };
  }

  static ArchCondition<JavaClass> extendNoInternalType() {
    return new ArchCondition<>("extend or implement no type of an internal package") {
      @Override
      public void check(JavaClass javaClass, ConditionEvents events) {
        Set<JavaClass> supertypes = new LinkedHashSet<>(javaClass.getRawInterfaces());
        javaClass.getRawSuperclass().ifPresent(supertypes::add);
        for (JavaClass type : supertypes) {
          if (isInternal(type.getPackageName()) && type.getPackageName().startsWith(ROOT)) {
            events.add(
                SimpleConditionEvent.violated(
                    javaClass, javaClass.getName() + " extends internal type " + type.getName()));
          }
        }
      }
    };
  }

  static ArchCondition<JavaClass> useOnlyOwnOrSharedInternals() {
    return new ArchCondition<>("use only their own feature's or the shared internal packages") {
      @Override
      public void check(JavaClass javaClass, ConditionEvents events) {
        String origin = javaClass.getPackageName();
        for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
          String target = dependency.getTargetClass().getBaseComponentType().getPackageName();
          if (!target.startsWith(ROOT + ".")
              || !isInternal(target)
              || target.equals(SHARED_INTERNAL)
              || target.startsWith(SHARED_INTERNAL + ".")
              || featureOf(target).equals(featureOf(origin))
              || CROSS_FEATURE_INTERNALS.getOrDefault(origin, Set.of()).contains(target)) {
            continue;
          }
          events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
        }
      }
    };
  }
}
