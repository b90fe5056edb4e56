<?php
/**
 * A stand-in for the part of the WP-CLI API the plugin's commands use, so that they run inside
 * the test WordPress (WP-CLI itself cannot be installed here). Like the Two Factor plugin's
 * tests: output is captured, WP_CLI::error() and ::halt() throw an exception that carries the
 * exit code, and commands are dispatched the way WP-CLI does (class methods as subcommands,
 * __invoke for leaf commands, unknown options refused from the docblock's synopsis).
 *
 * @package VerialImageSync\Tests
 */

declare(strict_types=1);

namespace VerialImageSync\Tests {

	/**
	 * What WP_CLI::error() and ::halt() throw instead of exiting.
	 */
	final class WpCliExit extends \RuntimeException {
	}

	/**
	 * One command's outcome.
	 */
	final class CliResult {

		/**
		 * @param int    $code   Exit status.
		 * @param string $stdout Lines, log, success, tables.
		 * @param string $stderr Warnings and errors.
		 * @param list<array{message: string, total: int, ticks: int, finished: bool}> $bars Progress bars.
		 */
		public function __construct( public readonly int $code, public readonly string $stdout, public readonly string $stderr, public readonly array $bars ) {
		}

		public function output(): string {
			return $this->stdout . $this->stderr;
		}
	}

	/**
	 * Registry, output buffers and the dispatcher.
	 */
	final class WpCliStandIn {

		/**
		 * @var array<string, mixed> Command name => callable or class name.
		 */
		public static array $commands = array();

		/**
		 * @var array<string, list<callable>>
		 */
		public static array $hooks = array();

		public static string $stdout = '';

		public static string $stderr = '';

		/**
		 * @var list<object>
		 */
		public static array $bars = array();

		/**
		 * Forgets every command and hook.
		 */
		public static function reset(): void {
			self::$commands = array();
			self::$hooks    = array();
		}

		/**
		 * Runs `wp <words>` with the given options, as WP-CLI would after loading WordPress.
		 *
		 * @param string               $words      Command and subcommand, e.g. "verial-images sync".
		 * @param array<string, mixed> $assoc_args Options as WP-CLI parses them (flags are true).
		 * @param list<string>         $args       Positional arguments after the command.
		 */
		public static function run( string $words, array $assoc_args = array(), array $args = array() ): CliResult {
			self::$stdout = '';
			self::$stderr = '';
			self::$bars   = array();
			$code         = 0;
			try {
				$found = self::find( explode( ' ', $words ) );
				if ( ! is_array( $found ) ) {
					\WP_CLI::error( $found );
				}
				list( $callable, $docblock ) = $found;
				$assoc_args                  = self::check_options( $docblock, $assoc_args );
				$callable( $args, $assoc_args );
			} catch ( WpCliExit $exit ) {
				$code = $exit->getCode();
			}
			$bars = array_map(
				static fn( object $bar ): array => array(
					'message'  => $bar->message,
					'total'    => $bar->total,
					'ticks'    => $bar->ticks,
					'finished' => $bar->finished,
				),
				self::$bars
			);
			return new CliResult( $code, self::$stdout, self::$stderr, $bars );
		}

		/**
		 * The callable for the words and its docblock, or an error message like WP-CLI's.
		 *
		 * @param list<string> $words Command words.
		 * @return array{0: callable, 1: string}|string
		 */
		public static function find( array $words ) {
			for ( $length = count( $words ); $length > 0; --$length ) {
				$name = implode( ' ', array_slice( $words, 0, $length ) );
				if ( ! isset( self::$commands[ $name ] ) ) {
					continue;
				}
				$rest   = array_slice( $words, $length );
				$target = self::$commands[ $name ];
				if ( is_string( $target ) && class_exists( $target ) ) {
					$object = new $target();
					$method = $rest ? $rest[0] : '__invoke';
					if ( count( $rest ) > 1 || ! method_exists( $object, $method ) || ! ( new \ReflectionMethod( $object, $method ) )->isPublic() ) {
						return sprintf( "'%s' is not a registered subcommand of '%s'.", implode( ' ', $rest ), $name );
					}
					return array( array( $object, $method ), (string) ( new \ReflectionMethod( $object, $method ) )->getDocComment() );
				}
				if ( $rest || ! is_callable( $target ) ) {
					return sprintf( "'%s' is not a registered wp command.", implode( ' ', $words ) );
				}
				return array( $target, '' );
			}
			return sprintf( "'%s' is not a registered wp command.", implode( ' ', $words ) );
		}

		/**
		 * Refuses options the synopsis does not list and fills in its defaults, as WP-CLI does.
		 *
		 * @param string               $docblock   The command's docblock.
		 * @param array<string, mixed> $assoc_args Options given.
		 * @return array<string, mixed>
		 */
		private static function check_options( string $docblock, array $assoc_args ): array {
			if ( '' === $docblock ) {
				return $assoc_args;
			}
			preg_match_all( '/^\s*\*\s*\[?--([a-z0-9-]+)(?:=<[^>]+>)?\]?\s*$/m', $docblock, $options );
			$known = array_flip( $options[1] );
			foreach ( array_keys( $assoc_args ) as $name ) {
				if ( ! isset( $known[ $name ] ) ) {
					\WP_CLI::error( sprintf( 'Parameter errors:' . "\n" . ' unknown --%s parameter', $name ) );
				}
			}
			preg_match_all( '/^\s*\*\s*\[--([a-z0-9-]+)=<[^>]+>\]\s*\n\s*\*\s*:[^\n]*\n\s*\*\s*---\s*\n\s*\*\s*default:\s*(\S+)/m', $docblock, $defaults, PREG_SET_ORDER );
			foreach ( $defaults as $default ) {
				$assoc_args[ $default[1] ] ??= $default[2];
			}
			return $assoc_args;
		}

		/**
		 * Output like WP-CLI's format_items().
		 *
		 * @param string                    $format table, json, yaml, csv, ids or count.
		 * @param list<array|object>        $items  Rows.
		 * @param list<string>|string       $fields Columns.
		 */
		public static function format( string $format, array $items, $fields ): void {
			$fields = is_string( $fields ) ? explode( ',', $fields ) : $fields;
			$rows   = array();
			foreach ( $items as $item ) {
				$item   = (array) $item;
				$rows[] = array_combine( $fields, array_map( static fn( string $field ) => $item[ $field ] ?? null, $fields ) );
			}
			switch ( $format ) {
				case 'json':
					self::$stdout .= json_encode( $rows ) . "\n";
					return;
				case 'yaml':
					self::$stdout .= "---\n";
					foreach ( $rows as $row ) {
						$prefix = '- ';
						foreach ( $row as $field => $value ) {
							self::$stdout .= $prefix . $field . ': ' . ( is_bool( $value ) ? ( $value ? 'true' : 'false' ) : ( null === $value ? 'null' : (string) $value ) ) . "\n";
							$prefix        = '  ';
						}
					}
					return;
				case 'csv':
					self::$stdout .= implode( ',', $fields ) . "\n";
					foreach ( $rows as $row ) {
						self::$stdout .= implode( ',', array_map( static fn( $value ): string => '"' . str_replace( '"', '""', (string) $value ) . '"', $row ) ) . "\n";
					}
					return;
				case 'count':
					self::$stdout .= count( $rows ) . "\n";
					return;
				case 'table':
					$widths = array();
					foreach ( $fields as $field ) {
						$widths[ $field ] = max( array_merge( array( strlen( $field ) ), array_map( static fn( array $row ): int => strlen( (string) $row[ $field ] ), $rows ) ) );
					}
					$line          = '+' . implode( '+', array_map( static fn( int $width ): string => str_repeat( '-', $width + 2 ), $widths ) ) . "+\n";
					$cells         = static fn( array $values ): string => '| ' . implode( ' | ', array_map( static fn( string $field ): string => str_pad( (string) $values[ $field ], $widths[ $field ] ), $fields ) ) . " |\n";
					self::$stdout .= $line . $cells( array_combine( $fields, $fields ) ) . $line;
					foreach ( $rows as $row ) {
						self::$stdout .= $cells( $row );
					}
					self::$stdout .= $line;
					return;
				default:
					\WP_CLI::error( "Invalid format: $format" );
			}
		}
	}
}

namespace {

	if ( ! defined( 'WP_CLI' ) ) {
		define( 'WP_CLI', true );
	}

	/**
	 * The static API commands call.
	 */
	final class WP_CLI {

		public static function add_command( string $name, $callable, array $args = array() ): bool {
			\VerialImageSync\Tests\WpCliStandIn::$commands[ $name ] = $callable;
			return true;
		}

		public static function add_hook( string $when, callable $callback ): void {
			\VerialImageSync\Tests\WpCliStandIn::$hooks[ $when ][] = $callback;
		}

		public static function do_hook( string $when ): void {
			foreach ( \VerialImageSync\Tests\WpCliStandIn::$hooks[ $when ] ?? array() as $callback ) {
				$callback();
			}
		}

		/**
		 * The runner, for find_command_to_run().
		 */
		public static function get_runner(): object {
			return new class() {
				/**
				 * @param list<string> $args Command words.
				 * @return array|string
				 */
				public function find_command_to_run( array $args ) {
					return \VerialImageSync\Tests\WpCliStandIn::find( $args );
				}
			};
		}

		public static function line( string $message = '' ): void {
			\VerialImageSync\Tests\WpCliStandIn::$stdout .= $message . "\n";
		}

		public static function log( string $message ): void {
			self::line( $message );
		}

		public static function success( string $message ): void {
			self::line( 'Success: ' . $message );
		}

		public static function warning( string $message ): void {
			\VerialImageSync\Tests\WpCliStandIn::$stderr .= 'Warning: ' . $message . "\n";
		}

		/**
		 * @param string|\WP_Error $message Message.
		 * @param bool             $exit    Whether to stop with status 1.
		 * @throws \VerialImageSync\Tests\WpCliExit With code 1.
		 */
		public static function error( $message, $exit = true ): void {
			$text                                          = is_wp_error( $message ) ? $message->get_error_message() : (string) $message;
			\VerialImageSync\Tests\WpCliStandIn::$stderr .= 'Error: ' . $text . "\n";
			if ( $exit ) {
				throw new \VerialImageSync\Tests\WpCliExit( $text, 1 );
			}
		}

		/**
		 * @throws \VerialImageSync\Tests\WpCliExit With the code.
		 */
		public static function halt( int $code ): void {
			throw new \VerialImageSync\Tests\WpCliExit( 'halt', $code );
		}

		public static function colorize( string $text ): string {
			return (string) preg_replace( '/%[a-zA-Z]/', '', $text );
		}
	}
}

namespace WP_CLI\Utils {

	/**
	 * @param string             $format Output format.
	 * @param list<array|object> $items  Rows.
	 * @param list<string>|string $fields Columns.
	 */
	function format_items( $format, $items, $fields ): void {
		\VerialImageSync\Tests\WpCliStandIn::format( (string) $format, (array) $items, $fields );
	}

	/**
	 * A progress bar that records its ticks.
	 */
	function make_progress_bar( $message, $count, $interval = 100 ): object {
		$bar = new class( (string) $message, (int) $count ) {
			public int $ticks = 0;
			public bool $finished = false;

			public function __construct( public string $message, public int $total ) {
			}

			public function tick( int $increment = 1 ): void {
				$this->ticks += $increment;
			}

			public function finish(): void {
				$this->finished = true;
			}
		};
		\VerialImageSync\Tests\WpCliStandIn::$bars[] = $bar;
		return $bar;
	}

	/**
	 * @param array<string, mixed> $assoc_args Options.
	 * @param string               $flag       Option name.
	 * @param mixed                $default    Value when absent.
	 * @return mixed
	 */
	function get_flag_value( $assoc_args, $flag, $default = null ) {
		return $assoc_args[ $flag ] ?? $default;
	}
}
