<?php
/**
 * Composition root: builds the plugin's objects from the settings.
 *
 * @package VerialImageSync
 */

declare(strict_types=1);

namespace VerialImageSync;

use VerialImageSync\Api\VerialClient;
use VerialImageSync\Assign\AssignJob;
use VerialImageSync\Assign\AssignmentService;
use VerialImageSync\Assign\ImageSource;
use VerialImageSync\Assign\ProductImages;
use VerialImageSync\Assign\ProductImageWriter;
use VerialImageSync\Assign\ProductLinks;
use VerialImageSync\Driver\ActionSchedulerDriver;
use VerialImageSync\Driver\BackgroundDriver;
use VerialImageSync\Driver\CronDriver;
use VerialImageSync\Driver\ForegroundDriver;
use VerialImageSync\Media\AttachmentMetadataBatch;
use VerialImageSync\Media\AttachmentUsage;
use VerialImageSync\Media\AttachmentWriter;
use VerialImageSync\Media\LegacyAttachments;
use VerialImageSync\Media\OrphanFiles;
use VerialImageSync\Media\ThumbnailQueue;
use VerialImageSync\Store\ArticleTable;
use VerialImageSync\Store\BatchQueue;
use VerialImageSync\Store\ContentTable;
use VerialImageSync\Store\ErrorLog;
use VerialImageSync\Store\ImageTable;
use VerialImageSync\Store\RunStore;
use VerialImageSync\Sync\ArticleGroup;
use VerialImageSync\Sync\ArticleImporter;
use VerialImageSync\Sync\BatchWorker;
use VerialImageSync\Sync\KnownContents;
use VerialImageSync\Sync\Lock;
use VerialImageSync\Sync\Phase1Runner;
use VerialImageSync\Sync\RunPlanner;
use VerialImageSync\Sync\UnusedAttachments;

/**
 * Wires the small classes together once per request (or again after the settings change).
 */
final class Services {

	public const LOCK_OPTION = 'verial_image_sync_worker_lock';

	public readonly Settings $settings;
	public readonly BackgroundDriver $driver;
	public readonly RunStore $runs;
	public readonly BatchQueue $queue;
	public readonly ErrorLog $errors;
	public readonly ImageTable $images;
	public readonly Lock $lock;
	public readonly ThumbnailQueue $thumbnails;
	public readonly BatchWorker $worker;
	public readonly Phase1Runner $runner;
	public readonly ForegroundDriver $foreground;
	public readonly VerialClient $client;
	public readonly ArticleTable $articles;
	public readonly ImageSource $image_source;
	public readonly AssignmentService $assigner;
	public readonly AssignJob $assign_job;

	/**
	 * @param Settings $settings Effective settings.
	 */
	public function __construct( Settings $settings ) {
		$this->settings   = $settings;
		$this->driver     = ActionSchedulerDriver::is_available() ? new ActionSchedulerDriver() : new CronDriver();
		$this->runs       = new RunStore();
		$this->queue      = new BatchQueue();
		$this->errors     = new ErrorLog();
		$this->images     = new ImageTable();
		$this->lock       = new Lock( self::LOCK_OPTION, $settings->lock_ttl() );
		$this->thumbnails = new ThumbnailQueue( $this->driver, new AttachmentMetadataBatch() );

		$this->client   = new VerialClient( $settings );
		$this->articles = new ArticleTable();
		$contents       = new ContentTable();
		$unused         = new UnusedAttachments( $this->images, new AttachmentUsage(), $this->errors, $this->runs, $settings->delete_unused_images() );
		$importer       = new ArticleImporter( new AttachmentWriter( $settings->generate_thumbnails() ), $this->images, $this->errors, $this->queue, $this->runs, $unused, $contents );
		$this->worker   = new BatchWorker(
			$settings,
			$this->lock,
			$this->runs,
			$this->queue,
			$this->errors,
			$this->images,
			new KnownContents( $this->images, $contents ),
			new LegacyAttachments(),
			new OrphanFiles(),
			$this->client,
			new RunPlanner( $this->client, $this->queue, $this->runs, $this->articles, $settings->batch_size() ),
			$importer,
			new ArticleGroup( $importer, $this->runs, $unused ),
			$this->thumbnails
		);
		$this->runner     = new Phase1Runner( $settings, $this->runs, $this->queue, $this->errors, $this->lock, $this->thumbnails );
		$this->foreground = new ForegroundDriver( $this->worker );

		$this->image_source = new ImageSource( $this->images );
		$this->assigner     = new AssignmentService(
			new ProductLinks( $this->articles, $settings->match_by_sku() ),
			$this->image_source,
			new ProductImages(),
			new ProductImageWriter(),
			$this->articles
		);
		$this->assign_job   = new AssignJob( $this->assigner, $this->driver, $settings );
	}
}
