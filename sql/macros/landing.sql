{# Shared helpers for the example pipeline. Import with: {% import "macros/landing.sql" as landing %} #}

{# Path of a landing file, from the landing_dir variable (default data/landing). #}
{% macro file(name) %}{{ (vars.landing_dir | default('data/landing')) ~ '/' ~ name ~ '.csv' }}{% endmacro %}

{# Deterministic pseudo-random integer in [0, n) for row key `key` and a salt: same input, same output. #}
{% macro pick(key, salt, n) %}CAST(hash({{ key }}, '{{ salt }}') % {{ n }} AS BIGINT){% endmacro %}

{# Orders per day: vars.orders is the volume of 30 days (the default --var days=30). #}
{% macro per_day() %}{% set n = (vars.orders | int) // 30 %}{{ n if n > 0 else 1 }}{% endmacro %}

{# Number of customers the generator makes: one per 20 orders, at least 100 (a SQL expression). #}
{% macro customers() %}greatest({{ vars.orders | int }} // 20, 100){% endmacro %}

{# The catalogue list price of product `p` (a SQL expression): the products file and the orders agree. #}
{% macro list_price(p) %}round(2 + {{ pick(p, 'price', 19800) }} / 100.0, 2){% endmacro %}
