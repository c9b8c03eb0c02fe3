def fizzbuzz(n: int) -> list[str]:
    """The words for 1..n: multiples of 15 become "FizzBuzz", other multiples of 3 "Fizz", other multiples of 5
    "Buzz", and every other number is written in digits.

    >>> fizzbuzz(5)
    ['1', '2', 'Fizz', '4', 'Buzz']
    """
# codescale: completion
    words = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            words.append("FizzBuzz")
        elif i % 3 == 0:
            words.append("Fizz")
        elif i % 5 == 0:
            words.append("Buzz")
        else:
            words.append(str(i))
    return words
# codescale: tests


def check(candidate):
    assert candidate(15) == "1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz".split()
    assert candidate(1) == ["1"]
    assert candidate(0) == []
    assert candidate(30)[29] == "FizzBuzz"


check(fizzbuzz)
