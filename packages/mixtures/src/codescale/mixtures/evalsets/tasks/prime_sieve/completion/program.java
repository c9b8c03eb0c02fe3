import java.util.ArrayList;
import java.util.List;

public class PrimeSieve {
    /** Sieve of Eratosthenes: every prime p with 2 <= p <= limit, ascending. */
    static List<Integer> primesUpTo(int limit) {
// codescale: completion
        List<Integer> primes = new ArrayList<>();
        if (limit < 2) {
            return primes;
        }
        boolean[] composite = new boolean[limit + 1];
        for (int p = 2; p <= limit; p++) {
            if (composite[p]) {
                continue;
            }
            primes.add(p);
            for (long multiple = (long) p * p; multiple <= limit; multiple += p) {
                composite[(int) multiple] = true;
            }
        }
        return primes;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(primesUpTo(50).equals(List.of(2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47)), "50");
        check(primesUpTo(999).size() == 168, "999");
        check(primesUpTo(1).isEmpty(), "1");
        check(primesUpTo(2).equals(List.of(2)), "2");
    }
}
